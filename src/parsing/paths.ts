import { posix } from 'node:path';

/** `s3://…`, `https://…`, `remote://name/…`: kept as written, never joined. */
const URL_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/** True for a URL with a scheme (`s3://bucket/x`), which DVC treats as external storage. */
export function isUrl(path: string): boolean {
  return URL_RE.test(path);
}

/** True for a path that is not inside the repository's tree: a URL or an absolute local path. */
export function isExternal(path: string): boolean {
  return isUrl(path) || path.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(path);
}

/**
 * `path` (relative to `base`, both POSIX) as a normalised path from the repository root;
 * `''` is the root itself. URLs and absolute paths come back unchanged. `..` that leaves
 * the repository stays visible (`../storage`).
 */
export function joinRepoPath(base: string, path: string): string {
  if (isExternal(path)) return path;
  const joined = posix.normalize(posix.join(base, path)).replace(/(.)\/+$/, '$1');
  return joined === '.' ? '' : joined;
}

/** The directory of a repository file (`''` for a file at the root). */
export function dirOf(file: string): string {
  const dir = posix.dirname(file);
  return dir === '.' || dir === '/' ? '' : dir;
}
