import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { CatFileBatch } from '../sources/local/CatFileBatch.js';
import type { BatchReply } from '../sources/local/CatFileBatch.js';
import { findRepositories } from '../sources/local/findRepositories.js';
import { gitEnvironment } from '../sources/local/gitEnvironment.js';
import { parseObjectHeaders } from '../sources/local/parseObjectHeaders.js';
import { parseSignature } from '../sources/local/parseSignature.js';
import { parseTagObject } from '../sources/local/parseTagObject.js';
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

class LocalSimGit implements SimGit {
  private readonly batches = new Map<string, CatFileBatch>();

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
    const head = (await this.git(repo, ['symbolic-ref', '-q', 'HEAD']).catch(() => 'refs/heads/main')).trim();
    const name = head.replace(/^refs\/heads\//, '');
    const commit = await this.resolveCommit(repo, `refs/heads/${name}`);
    return commit ? { name, commit } : { name };
  }

  async branches(repo: SimRepository): Promise<{ name: string; commit: string }[]> {
    const out = await this.git(repo, ['for-each-ref', '--format=%(refname:strip=2)%00%(objectname)', 'refs/heads']);
    return lines(out)
      .map((line) => line.split('\0'))
      .map(([name = '', commit = '']) => ({ name, commit }))
      .sort((a, b) => compare(a.name, b.name));
  }

  async tags(repo: SimRepository): Promise<SimTag[]> {
    const out = await this.git(repo, ['for-each-ref', '--format=%(refname:strip=2)%00%(objectname)%00%(objecttype)', 'refs/tags']);
    const refs = lines(out).map((line) => {
      const [name = '', sha = '', type = ''] = line.split('\0');
      return { name, sha, type };
    });
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
    const created = (await this.tags(repo)).find((t) => t.name === tag.name);
    if (!created) throw new Error(`tag '${tag.name}' was not created`);
    return created;
  }

  async close(): Promise<void> {
    for (const batch of this.batches.values()) batch.close();
    this.batches.clear();
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
