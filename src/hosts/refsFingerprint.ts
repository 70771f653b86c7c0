import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * How long after a change its timestamp may still be shared by the next change. File times come
 * from the kernel's coarse clock (one tick, at most 10 ms, behind), so two ref updates within a
 * tick can leave a folder's mtime unchanged; on file systems that keep whole seconds (ext4 with
 * small inodes, FAT's two seconds) the window is seconds wide.
 */
const RACY_MS = 100;
const RACY_WHOLE_SECONDS_MS = 2100;

/** A cheap summary of where a repository keeps its refs, read with `stat` and `readdir` only. */
export interface RefsFingerprint {
  /** Equal keys, both `settled`: no ref, `packed-refs` or `HEAD` changed in between. */
  key: string;
  /**
   * False while the newest timestamp is so recent that a change still to come could leave the
   * key as it is (Git's "racy" case): an answer read under an unsettled key must not be reused.
   */
  settled: boolean;
}

/**
 * The fingerprint of a Git directory's refs: `HEAD` and `packed-refs` (mtime, size, inode) and
 * the mtime of `refs/heads`, `refs/tags` and every folder below them. Take it *before* reading the
 * refs, so that a change racing the read makes the next fingerprint differ.
 *
 * Guarantees: Git writes every ref, `HEAD` and `packed-refs` through a lock file renamed into
 * place, and deletes loose refs by unlinking them, so any change made by `git` (ours or another
 * process's) changes the mtime of the folder holding the ref (a ref in `refs/tags/a/b` changes only
 * `refs/tags/a`, hence the walk) or the stamp of `packed-refs`/`HEAD`. A loose ref file edited in
 * place by hand is not seen. Repositories in the reftable format are not covered (Git ≥ 2.45 only).
 */
export async function refsFingerprint(gitDir: string): Promise<RefsFingerprint> {
  const started = Date.now();
  const [head, packed, heads, tags] = await Promise.all([
    stamp(join(gitDir, 'HEAD')),
    stamp(join(gitDir, 'packed-refs')),
    folders(join(gitDir, 'refs', 'heads'), 'heads'),
    folders(join(gitDir, 'refs', 'tags'), 'tags'),
  ]);
  const times = [head, packed, ...heads, ...tags].flatMap((s) => (s.mtimeMs === undefined ? [] : [s.mtimeMs]));
  const newest = Math.max(0, ...times);
  const wholeSeconds = times.length > 0 && times.every((t) => t % 1000 === 0);
  const key = [head, packed, ...heads, ...tags].map((s) => s.text).join('\n');
  return { key, settled: newest <= started - (wholeSeconds ? RACY_WHOLE_SECONDS_MS : RACY_MS) };
}

interface Stamp {
  text: string;
  mtimeMs?: number;
}

async function stamp(path: string): Promise<Stamp> {
  const s = await stat(path).catch(() => undefined);
  return s ? { text: `${path} ${s.mtimeMs} ${s.size} ${s.ino}`, mtimeMs: s.mtimeMs } : { text: `${path} -` };
}

/** The mtime of `dir` and of every folder below it, sorted by path (a missing folder is a stamp too). */
async function folders(dir: string, label: string): Promise<Stamp[]> {
  const [own, entries] = await Promise.all([stat(dir).catch(() => undefined), readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[])]);
  if (!own?.isDirectory()) return [{ text: `${label} -` }];
  const below = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => folders(join(dir, e.name), `${label}/${e.name}`)));
  return [folderStamp(label, own), ...below.flat()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
}

function folderStamp(label: string, s: Stats): Stamp {
  return { text: `${label} ${s.mtimeMs}`, mtimeMs: s.mtimeMs };
}
