import { joinRepoPath } from './paths.js';
import { isMapping, kindOf } from './shapes.js';
import type { DvcEntry } from './types.js';

/** 32 hex digits, plus `.dir` for a directory's manifest. */
const MD5_RE = /^[0-9a-f]{32}(\.dir)?$/;

/**
 * Reads one `outs`/`deps` entry of a `dvc.lock` or `.dvc` file (research §4, §5). `base` is
 * the directory its `path` is relative to, from the repository root. An import's dep
 * (`repo: {url, rev, rev_lock}`) names a path inside the *source* repository, so its
 * `repoPath` is that path, normalised, not joined with `base`. Without `entry`, `warnings`
 * says why it could not be read; with it, which fields were dropped.
 */
export function readDvcEntry(raw: unknown, base: string): { entry?: DvcEntry; warnings: string[] } {
  const warnings: string[] = [];
  if (!isMapping(raw)) return { warnings: [`expected {path, md5, …}, got ${kindOf(raw)}`] };
  const { path } = raw;
  if (typeof path !== 'string' || path === '') return { warnings: [`'path' is required, got ${kindOf(path)}`] };
  const where = `'${path}'`;
  const entry: DvcEntry = { path, repoPath: joinRepoPath(base, path), dvc3: raw.hash === 'md5', isDir: false };

  if (typeof raw.md5 === 'string' && MD5_RE.test(raw.md5)) entry.md5 = raw.md5;
  else if (raw.md5 !== undefined) warnings.push(`${where}: md5 is not 32 hex digits (with .dir for a directory): ${JSON.stringify(raw.md5)?.slice(0, 80)}`);
  entry.isDir = entry.md5?.endsWith('.dir') === true || Array.isArray(raw.files);

  const count = (field: 'size' | 'nfiles'): void => {
    const value = raw[field];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) entry[field] = value;
    else if (value !== undefined && value !== null) warnings.push(`${where}: ${field} must be a whole number, got ${kindOf(value)}`);
  };
  count('size');
  count('nfiles');
  const flag = (field: 'cache' | 'push'): void => {
    const value = raw[field];
    if (typeof value === 'boolean') entry[field] = value;
    else if (value !== undefined) warnings.push(`${where}: ${field} must be true or false, got ${kindOf(value)}`);
  };
  flag('cache');
  flag('push');
  if (typeof raw.remote === 'string') entry.remote = raw.remote;
  else if (raw.remote !== undefined) warnings.push(`${where}: remote must be a remote name, got ${kindOf(raw.remote)}`);

  if (raw.repo !== undefined) {
    const repo = raw.repo;
    if (isMapping(repo) && typeof repo.url === 'string') {
      entry.repo = { url: repo.url };
      if (typeof repo.rev === 'string') entry.repo.rev = repo.rev;
      if (typeof repo.rev_lock === 'string') entry.repo.revLock = repo.rev_lock;
      entry.repoPath = joinRepoPath('', path);
    } else warnings.push(`${where}: repo must be {url, rev, rev_lock}, got ${kindOf(repo)}${isMapping(repo) ? ' without a url' : ''}`);
  }
  return { entry, warnings };
}
