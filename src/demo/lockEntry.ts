import { createHash } from 'node:crypto';
import { fakeDigest } from './fakeDigest.js';

/** A `dvc.lock` / `.dvc` output or dependency entry, keys in the order DVC writes them. */
export interface LockEntry {
  path: string;
  hash?: 'md5';
  md5: string;
  size: number;
  nfiles?: number;
}

/** What the entry describes: a file the demo writes to Git, or data that lives only in the DVC remote. */
export type LockEntrySource =
  | { content: string }
  | { /** Identifies the data's version: equal seeds give equal digests. */ seed: string; size: number; nfiles?: number };

/**
 * Builds a lock entry. Git-tracked files get their real md5 and size (as DVC would compute);
 * remote-only data gets a stable fake md5 (with `.dir` for directories) and a size near the
 * one given. `legacy` writes the DVC 2.x form, without `hash: md5`.
 */
export function lockEntry(path: string, source: LockEntrySource, options: { legacy?: boolean } = {}): LockEntry {
  const head: Pick<LockEntry, 'path' | 'hash'> = options.legacy ? { path } : { path, hash: 'md5' };
  if ('content' in source) {
    const md5 = createHash('md5').update(source.content).digest('hex');
    return { ...head, md5, size: Buffer.byteLength(source.content) };
  }
  const digest = fakeDigest(`${path}@${source.seed}`);
  // Sizes move a little with the content, as real retrained models and refreshed datasets do.
  const size = source.size + (Number.parseInt(digest.slice(0, 6), 16) % Math.max(1, Math.floor(source.size / 50)));
  if (source.nfiles === undefined) return { ...head, md5: digest, size };
  return { ...head, md5: `${digest}.dir`, size, nfiles: source.nfiles };
}
