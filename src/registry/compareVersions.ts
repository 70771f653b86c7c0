/**
 * GTO's version names: `v` plus a full SemVer 2.0 string (gto `constants.py`, research §2.1).
 * Numbers are kept as digit strings: GTO (Python) compares integers of any size, and the
 * grammar forbids leading zeros, so a longer digit string is always the larger number.
 */
const VERSION_NAME =
  /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;

interface ParsedVersion {
  release: [string, string, string];
  /** Pre-release identifiers; empty for a release. */
  prerelease: string[];
}

/**
 * GTO's version order (`gto/versions.py` `sort_versions`): SemVer precedence, highest
 * first (pre-release below release, build metadata ignored, numbers of any size); names
 * that are not SemVer (commit SHAs) after every SemVer name, by string, descending.
 * Returns < 0 when `a` sorts before `b`, i.e. when `a` is the higher version.
 */
export function compareVersionsDescending(a: string, b: string): number {
  const va = parseVersionName(a);
  const vb = parseVersionName(b);
  if (va && vb) return comparePrecedence(vb, va);
  if (va) return -1;
  if (vb) return 1;
  return a < b ? 1 : a > b ? -1 : 0;
}

/** True for GTO version names (`v` plus a full SemVer 2.0 string). */
export function isSemverName(name: string): boolean {
  return parseVersionName(name) !== undefined;
}

function parseVersionName(name: string): ParsedVersion | undefined {
  const match = VERSION_NAME.exec(name);
  if (!match) return undefined;
  const [, major = '', minor = '', patch = '', prerelease] = match;
  return { release: [major, minor, patch], prerelease: prerelease === undefined ? [] : prerelease.split('.') };
}

/** SemVer 2.0 §11 precedence, ascending (python-semver `compare`, which GTO uses). */
function comparePrecedence(a: ParsedVersion, b: ParsedVersion): number {
  for (let i = 0; i < 3; i += 1) {
    const byNumber = compareDigits(a.release[i] ?? '0', b.release[i] ?? '0');
    if (byNumber !== 0) return byNumber;
  }
  // A release outranks its pre-releases.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  const shared = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < shared; i += 1) {
    const byIdentifier = compareIdentifiers(a.prerelease[i] ?? '', b.prerelease[i] ?? '');
    if (byIdentifier !== 0) return byIdentifier;
  }
  return a.prerelease.length - b.prerelease.length;
}

/** Numeric identifiers compare as numbers and rank below alphanumeric ones, which compare in ASCII order. */
function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return compareDigits(a, b);
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Two digit strings without leading zeros, as numbers of any size. */
function compareDigits(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
