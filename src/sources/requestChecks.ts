import { InputError } from '../errors.js';
import type { RepositoryInfo } from './types.js';

/** A full commit SHA: SHA-1 (40 hex) or SHA-256 (64 hex), lower case. */
export const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Every source takes full SHAs only: anything else is the caller's mistake, said with the repository's ref. */
export function checkSha(sha: string, info: RepositoryInfo): void {
  if (!FULL_SHA.test(sha.toLowerCase())) {
    throw new InputError(`${info.ref}: expected a full commit SHA (40 or 64 hex digits), got ${JSON.stringify(sha)}.`);
  }
}

/** Paths a Git tree can hold: no empty, `.` or `..` segment, no NUL or newline. Others read as missing, in every source alike. */
export function isAskablePath(path: string): boolean {
  if (path === '' || path.includes('\n') || path.includes('\0') || path.endsWith('\r')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
