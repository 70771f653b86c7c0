import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CatFileBatch } from '../sources/local/CatFileBatch.js';
import type { BatchReply } from '../sources/local/CatFileBatch.js';
import { findRepositories } from '../sources/local/findRepositories.js';
import { gitEnvironment } from '../sources/local/gitEnvironment.js';
import { parseObjectHeaders } from '../sources/local/parseObjectHeaders.js';
import { parseSignature } from '../sources/local/parseSignature.js';
import { parseTagObject } from '../sources/local/parseTagObject.js';
import { refsFingerprint } from './refsFingerprint.js';
import { hashId } from './stableId.js';
import type { SimBlob, SimCommit, SimGit, SimRepository, SimSignature, SimTag, SimTreeEntry } from './types.js';

/** Blobs up to this size are served (the hosts refuse far smaller ones through most endpoints anyway). */
const MAX_BLOB_BYTES = 100 * 1024 * 1024;
/** Tag chains longer than this are not followed. */
const MAX_TAG_CHAIN = 16;

/** Reads the repositories below `reposDir` with `git` (one persistent `cat-file --batch` per repository). */
export function createSimGit(reposDir: string): SimGit {
  return new LocalSimGit(reposDir);
}

/** A stable positive 31-bit id for a repository path (the hosts' numeric `id`). */
export function repositoryId(path: string): number {
  return hashId(path.toLowerCase());
}

/** One `for-each-ref` answer: HEAD's branch, the branches, and the tag refs with their object types. */
interface RefsAnswer {
  head: string;
  branches: { name: string; commit: string }[];
  tagRefs: { name: string; sha: string; type: string }[];
}

/** A repository's refs as read under one fingerprint; `tags` is built from them on first use. */
interface RefsSnapshot {
  fingerprint: string;
  refs: Promise<RefsAnswer>;
  tags?: Promise<SimTag[]>;
}

class LocalSimGit implements SimGit {
  private readonly batches = new Map<string, CatFileBatch>();
  /**
   * Refs per Git directory, reused while the refs' fingerprint is settled and unchanged: spawning
   * `git for-each-ref` (and `symbolic-ref`) was most of what a request about refs cost. Writes
   * through the simulator drop the entry at once (`refsChanged`); writes by anyone else change
   * the fingerprint.
   */
  private readonly snapshots = new Map<string, RefsSnapshot>();

  constructor(private readonly reposDir: string) {}

  async repositories(): Promise<SimRepository[]> {
    const found = await findRepositories(this.reposDir);
    return found.map((r) => ({ path: r.path, id: repositoryId(r.path), gitDir: r.gitDir, bare: r.bare }));
  }

  async find(path: string): Promise<SimRepository | undefined> {
    const clean = path.replace(/^\/+|\/+$/g, '');
    // Fast path, taken by almost every request: the folder at exactly that path is a repository.
    const segments = clean.split('/');
    if (clean !== '' && segments.every((s) => s !== '' && s !== '.' && s !== '..')) {
      const dir = resolve(this.reposDir, ...segments);
      const [found] = await findRepositories(dir).catch(() => []);
      if (found && found.dir === dir) return { path: clean, id: repositoryId(clean), gitDir: found.gitDir, bare: found.bare };
    }
    // Otherwise the hosts' case-insensitive match over the whole listing.
    const wanted = clean.toLowerCase();
    return (await this.repositories()).find((r) => r.path.toLowerCase() === wanted);
  }

  async defaultBranch(repo: SimRepository): Promise<{ name: string; commit?: string }> {
    const { head, branches } = await (await this.snapshot(repo)).refs;
    const commit = branches.find((b) => b.name === head)?.commit;
    return commit ? { name: head, commit } : { name: head };
  }

  async branches(repo: SimRepository): Promise<{ name: string; commit: string }[]> {
    // A copy: callers sort what they get.
    return [...(await (await this.snapshot(repo)).refs).branches];
  }

  async tags(repo: SimRepository): Promise<SimTag[]> {
    const snapshot = await this.snapshot(repo);
    if (!snapshot.tags) {
      const tags = snapshot.refs.then((refs) => this.readTags(repo, refs.tagRefs));
      snapshot.tags = tags;
      // A failed read is not an answer to keep.
      tags.catch(() => {
        if (snapshot.tags === tags) delete snapshot.tags;
      });
    }
    return [...(await snapshot.tags)];
  }

  refsChanged(repo: SimRepository): void {
    this.snapshots.delete(repo.gitDir);
  }

  async resolveCommit(repo: SimRepository, rev: string): Promise<string | undefined> {
    if (!safeRev(rev)) return undefined;
    const candidates = rev === 'HEAD' ? ['HEAD'] : [`refs/heads/${rev}`, `refs/tags/${rev}`, ...(/^[0-9a-f]{4,64}$/i.test(rev) ? [rev] : []), rev];
    for (const candidate of candidates) {
      const [reply] = await this.batch(repo).read([{ spec: `${candidate}^{commit}`, maxBytes: 0 }]);
      if (reply?.kind === 'object' && reply.type === 'commit') return reply.sha;
    }
    return undefined;
  }

  async commit(repo: SimRepository, sha: string): Promise<SimCommit | undefined> {
    if (!safeRev(sha)) return undefined;
    const [reply] = await this.batch(repo).read([{ spec: sha, maxBytes: MAX_BLOB_BYTES }]);
    if (reply?.kind !== 'object' || reply.type !== 'commit' || !reply.data) return undefined;
    const { headers, message } = parseObjectHeaders(reply.data.toString('utf8'));
    const field = (key: string): string => headers.find(([k]) => k === key)?.[1] ?? '';
    const author = signature(parseSignature(field('author')));
    return {
      sha: reply.sha,
      tree: field('tree'),
      parents: headers.filter(([k]) => k === 'parent').map(([, v]) => v),
      author,
      committer: headers.some(([k]) => k === 'committer') ? signature(parseSignature(field('committer'))) : author,
      message,
    };
  }

  async tagObject(repo: SimRepository, sha: string): Promise<(SimTag & { objectType: string; object: string }) | undefined> {
    if (!safeRev(sha)) return undefined;
    const [reply] = await this.batch(repo).read([{ spec: sha, maxBytes: MAX_BLOB_BYTES }]);
    if (reply?.kind !== 'object' || reply.type !== 'tag' || !reply.data) return undefined;
    const parsed = parseTagObject(reply.data.toString('utf8'));
    const commit = (await this.peel(repo, reply.sha)) ?? parsed.object;
    return {
      name: parsed.tag,
      sha: reply.sha,
      commit,
      objectType: parsed.type,
      object: parsed.object,
      annotation: { tagger: signature(parsed.tagger), message: parsed.message },
    };
  }

  async tree(repo: SimRepository, treeish: string, recursive: boolean): Promise<{ sha: string; entries: SimTreeEntry[] } | undefined> {
    if (!safeRev(treeish)) return undefined;
    // `<rev>:<dir>` names a tree itself; a branch, tag or commit is peeled to its root tree.
    const spec = treeish.includes(':') ? treeish : `${/^[0-9a-f]{40,64}$/i.test(treeish) ? treeish : ((await this.resolveCommit(repo, treeish)) ?? treeish)}^{tree}`;
    const [reply] = await this.batch(repo).read([{ spec, maxBytes: 0 }]);
    if (reply?.kind !== 'object' || reply.type !== 'tree') return undefined;
    const out = await this.git(repo, ['ls-tree', '-z', '-l', ...(recursive ? ['-r', '-t'] : []), reply.sha]);
    return { sha: reply.sha, entries: parseLsTree(out) };
  }

  async entryAt(repo: SimRepository, rev: string, path: string): Promise<SimTreeEntry | undefined> {
    const commit = await this.resolveCommit(repo, rev);
    const clean = path.replace(/^\/+|\/+$/g, '');
    if (!commit || clean === '' || !safeRev(clean)) return undefined;
    // One `ls-tree` with the path as a literal pathspec gives the entry itself, whatever its depth.
    const out = await this.git(repo, ['--literal-pathspecs', 'ls-tree', '-z', '-l', commit, '--', clean]);
    return parseLsTree(out).find((entry) => entry.path === clean);
  }

  async blob(repo: SimRepository, sha: string): Promise<SimBlob | undefined> {
    if (!/^[0-9a-f]{4,64}$/i.test(sha)) return undefined;
    const [reply] = await this.batch(repo).read([{ spec: sha, maxBytes: MAX_BLOB_BYTES }]);
    return blobOf(reply);
  }

  async fileAt(repo: SimRepository, rev: string, path: string): Promise<SimBlob | undefined> {
    const commit = await this.resolveCommit(repo, rev);
    const clean = path.replace(/^\/+/, '');
    if (!commit || !safeRev(clean) || clean === '') return undefined;
    const [reply] = await this.batch(repo).read([{ spec: `${commit}:${clean}`, maxBytes: MAX_BLOB_BYTES }]);
    return blobOf(reply);
  }

  async createTag(
    repo: SimRepository,
    tag: { name: string; target: string; message?: string; tagger?: { name: string; email: string; date?: string } },
  ): Promise<SimTag> {
    await this.git(repo, ['check-ref-format', `refs/tags/${tag.name}`]).catch(() => {
      throw new Error(`'${tag.name}' is not a valid tag name`);
    });
    const target = await this.resolveCommit(repo, tag.target);
    if (!target) throw new Error(`the target '${tag.target}' is not a commit of ${repo.path}`);
    if ((await this.tags(repo)).some((t) => t.name === tag.name)) throw new Error(`tag '${tag.name}' already exists`);
    try {
      if (tag.message === undefined) {
        await this.git(repo, ['tag', '--no-sign', tag.name, target]);
      } else {
        const tagger = tag.tagger ?? { name: 'Git Host Simulator', email: 'simulator@modelgate.invalid' };
        await this.git(repo, ['tag', '--no-sign', '-a', '-F', '-', '--cleanup=verbatim', tag.name, target], {
          GIT_COMMITTER_NAME: tagger.name,
          GIT_COMMITTER_EMAIL: tagger.email,
          ...(tagger.date ? { GIT_COMMITTER_DATE: tagger.date } : {}),
        }, tag.message);
      }
    } finally {
      this.refsChanged(repo);
    }
    const created = (await this.tags(repo)).find((t) => t.name === tag.name);
    if (!created) throw new Error(`tag '${tag.name}' was not created`);
    return created;
  }

  async close(): Promise<void> {
    for (const batch of this.batches.values()) batch.close();
    this.batches.clear();
  }

  /**
   * The snapshot for the repository's current refs: the cached one while the fingerprint (taken
   * before reading, so a racing change shows next time) is settled and unchanged, else a fresh
   * read, cached only under a settled fingerprint. Concurrent requests share one read.
   */
  private async snapshot(repo: SimRepository): Promise<RefsSnapshot> {
    const fingerprint = await refsFingerprint(repo.gitDir);
    const cached = this.snapshots.get(repo.gitDir);
    if (fingerprint.settled && cached?.fingerprint === fingerprint.key) return cached;
    const snapshot: RefsSnapshot = { fingerprint: fingerprint.key, refs: this.readRefs(repo) };
    if (fingerprint.settled) {
      this.snapshots.set(repo.gitDir, snapshot);
      // A failed read is not an answer to keep.
      snapshot.refs.catch(() => {
        if (this.snapshots.get(repo.gitDir) === snapshot) this.snapshots.delete(repo.gitDir);
      });
    } else {
      this.snapshots.delete(repo.gitDir);
    }
    return snapshot;
  }

  /** HEAD's branch (from the file, as `symbolic-ref` reads it; `main` when detached) and every branch and tag ref, in one `git` run. */
  private async readRefs(repo: SimRepository): Promise<RefsAnswer> {
    const [headFile, out] = await Promise.all([
      readFile(join(repo.gitDir, 'HEAD'), 'utf8').catch(() => ''),
      this.git(repo, ['for-each-ref', '--format=%(refname)%00%(objectname)%00%(objecttype)', 'refs/heads', 'refs/tags']),
    ]);
    const symbolic = /^ref:\s*(\S+)\s*$/m.exec(headFile)?.[1];
    const answer: RefsAnswer = { head: (symbolic ?? 'refs/heads/main').replace(/^refs\/heads\//, ''), branches: [], tagRefs: [] };
    for (const line of lines(out)) {
      const [ref = '', sha = '', type = ''] = line.split('\0');
      if (ref.startsWith('refs/heads/')) answer.branches.push({ name: ref.slice('refs/heads/'.length), commit: sha });
      else if (ref.startsWith('refs/tags/')) answer.tagRefs.push({ name: ref.slice('refs/tags/'.length), sha, type });
    }
    answer.branches.sort((a, b) => compare(a.name, b.name));
    return answer;
  }

  /** Tag refs as tags: annotation data read from the tag objects, each peeled to its commit. */
  private async readTags(repo: SimRepository, refs: readonly { name: string; sha: string; type: string }[]): Promise<SimTag[]> {
    const objects = await this.read(
      repo,
      refs.filter((r) => r.type === 'tag').map((r) => r.sha),
    );
    const tags: SimTag[] = [];
    for (const ref of refs) {
      if (ref.type === 'commit') {
        tags.push({ name: ref.name, sha: ref.sha, commit: ref.sha });
        continue;
      }
      const reply = objects.get(ref.sha);
      if (ref.type !== 'tag' || reply?.kind !== 'object' || !reply.data) continue;
      const parsed = parseTagObject(reply.data.toString('utf8'));
      const commit = await this.peel(repo, ref.sha);
      if (!commit) continue;
      tags.push({ name: ref.name, sha: ref.sha, commit, annotation: { tagger: signature(parsed.tagger), message: parsed.message } });
    }
    return tags.sort((a, b) => compare(a.name, b.name));
  }

  /** The commit a tag object finally points at. */
  private async peel(repo: SimRepository, sha: string): Promise<string | undefined> {
    let current = sha;
    for (let depth = 0; depth < MAX_TAG_CHAIN; depth += 1) {
      const [reply] = await this.batch(repo).read([{ spec: current, maxBytes: MAX_BLOB_BYTES }]);
      if (reply?.kind !== 'object') return undefined;
      if (reply.type === 'commit') return reply.sha;
      if (reply.type !== 'tag' || !reply.data) return undefined;
      current = parseTagObject(reply.data.toString('utf8')).object;
    }
    return undefined;
  }

  private async read(repo: SimRepository, shas: readonly string[]): Promise<Map<string, BatchReply>> {
    const replies = await this.batch(repo).read(shas.map((spec) => ({ spec, maxBytes: MAX_BLOB_BYTES })));
    return new Map(shas.map((sha, i) => [sha, replies[i] as BatchReply]));
  }

  private batch(repo: SimRepository): CatFileBatch {
    let batch = this.batches.get(repo.gitDir);
    if (!batch) {
      batch = new CatFileBatch({ gitDir: repo.gitDir, label: repo.path, upstream: 'simulator', onSpawn: () => undefined, idleTimeoutMs: 60_000 });
      this.batches.set(repo.gitDir, batch);
    }
    return batch;
  }

  private git(repo: SimRepository, args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        'git',
        ['--git-dir', repo.gitDir, ...args],
        { env: gitEnvironment(env), maxBuffer: 512 * 1024 * 1024, encoding: 'utf8', windowsHide: true },
        (error, stdout, stderr) => (error ? reject(new Error(`git ${args[0] ?? ''} failed in ${repo.path}: ${stderr.trim() || error.message}`)) : resolve(stdout)),
      );
      // git may exit before reading its input (a failed check): that is its answer, not an error here.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input ?? '');
    });
  }
}

/** `git ls-tree -z -l` output: `<mode> <type> <sha> <size>\t<path>` records. */
function parseLsTree(out: string): SimTreeEntry[] {
  const entries: SimTreeEntry[] = [];
  for (const record of out.split('\0')) {
    const match = /^(\d+) (blob|tree|commit) ([0-9a-f]+) +(-|\d+)\t([\s\S]*)$/.exec(record);
    if (!match) continue;
    const [, mode = '', type = 'blob', sha = '', size = '-', path = ''] = match;
    entries.push({ path, mode: mode.padStart(6, '0'), type: type as SimTreeEntry['type'], sha, ...(size !== '-' ? { size: Number(size) } : {}) });
  }
  return entries;
}

function blobOf(reply: BatchReply | undefined): SimBlob | undefined {
  if (reply?.kind !== 'object' || reply.type !== 'blob' || !reply.data) return undefined;
  return { sha: reply.sha, size: reply.size, content: reply.data };
}

function signature(s: { name: string; email: string; date: string; timestamp: number }): SimSignature {
  return { name: s.name, email: s.email, date: s.date, timestamp: s.timestamp };
}

/** A revision or path safe for cat-file's line protocol and for `git` arguments. */
function safeRev(rev: string): boolean {
  return rev !== '' && !rev.includes('\n') && !rev.includes('\0') && !rev.endsWith('\r') && !rev.startsWith('-');
}

function lines(out: string): string[] {
  return out.split('\n').filter((line) => line !== '');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
