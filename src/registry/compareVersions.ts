import semver from 'semver';

/**
 * GTO's version order (`gto/versions.py` `sort_versions`): SemVer precedence, highest
 * first (pre-release below release, build metadata ignored); names that are not SemVer
 * (commit SHAs) after every SemVer name, by string, descending. Returns < 0 when `a`
 * sorts before `b`, i.e. when `a` is the higher version.
 */
export function compareVersionsDescending(a: string, b: string): number {
  const sa = semverOf(a);
  const sb = semverOf(b);
  if (sa && sb) return semver.compare(sb, sa);
  if (sa) return -1;
  if (sb) return 1;
  return a < b ? 1 : a > b ? -1 : 0;
}

/** True for GTO version names (`v` plus a full SemVer 2.0 string). */
export function isSemverName(name: string): boolean {
  return semverOf(name) !== undefined;
}

function semverOf(name: string): string | undefined {
  if (!name.startsWith('v')) return undefined;
  const parsed = semver.parse(name.slice(1));
  return parsed ? parsed.version : undefined;
}
