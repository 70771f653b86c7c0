/**
 * Checks of values read back from an `ObjectCache`: each answers the value when it has the
 * shape the sources wrote, `undefined` otherwise (another program's key, a half-written or
 * older layout), which the sources treat as a miss.
 */
import type { CommitInfo, FileContent, Signature } from './types.js';

const MISSING_REASONS = new Set(['missing', 'not-a-file', 'too-large', 'not-text']);

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON array of strings. */
export function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isSignature(value: unknown): value is Signature {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    typeof value.email === 'string' &&
    typeof value.timestamp === 'number' &&
    typeof value.offset === 'string' &&
    typeof value.date === 'string'
  );
}

/** A file list of a commit. */
export function asStringList(value: unknown): string[] | undefined {
  return isStringList(value) ? value : undefined;
}

/** Commit metadata as the sources answer it. */
export function asCommitInfo(value: unknown): CommitInfo | undefined {
  if (!isRecord(value)) return undefined;
  const { sha, author, committer, message, parents } = value;
  if (typeof sha !== 'string' || typeof message !== 'string' || !isStringList(parents) || !isSignature(author) || !isSignature(committer)) return undefined;
  return { sha, author, committer, message, parents };
}

/**
 * A file's content as a source with the limit `maxFileBytes` would answer it: a cached text
 * over the limit is `too-large` here, and a cached `too-large` within the limit is a miss (it
 * was written by a source with a lower limit, so the text was never read).
 */
export function asFileContent(value: unknown, maxFileBytes: number): FileContent | undefined {
  if (!isRecord(value)) return undefined;
  if (value.found === true) {
    if (typeof value.text !== 'string' || !isSize(value.size)) return undefined;
    if (value.size > maxFileBytes) return { found: false, reason: 'too-large', size: value.size };
    return { found: true, text: value.text, size: value.size };
  }
  if (value.found !== false || typeof value.reason !== 'string' || !MISSING_REASONS.has(value.reason)) return undefined;
  if (value.size !== undefined && !isSize(value.size)) return undefined;
  if (value.detail !== undefined && typeof value.detail !== 'string') return undefined;
  if (value.reason === 'too-large' && (value.size === undefined || value.size <= maxFileBytes)) return undefined;
  return {
    found: false,
    reason: value.reason as 'missing' | 'not-a-file' | 'too-large' | 'not-text',
    ...(value.size !== undefined ? { size: value.size } : {}),
    ...(value.detail !== undefined ? { detail: value.detail } : {}),
  };
}
