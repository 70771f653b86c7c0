import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConflictError, InputError, UpstreamError, messageOf } from '../../errors.js';
import type {
  CommitInfo,
  FileContent,
  FileRequest,
  GitSource,
  RawTag,
  RepositoryInfo,
  RepositoryRefs,
  TagAuthor,
  TagToCreate,
} from '../types.js';
import { decodeText } from '../decodeText.js';
import { CatFileBatch, type BatchReply, type BatchRequest } from './CatFileBatch.js';
import { findRepositories, type FoundRepository } from './findRepositories.js';
import { parseCommitObject } from './parseCommitObject.js';
import { parseTagObject, type TagObject } from './parseTagObject.js';
import { parseTreeEntries, type TreeEntry } from './parseTreeEntries.js';
import { readRemoteUrls } from './readRemoteUrls.js';
import { runGit } from './runGit.js';
import { checkSha, isAskablePath } from '../requestChecks.js';

/** Options of `LocalGitSource.create`. */
export interface LocalGitSourceOptions {
  /** The source name: the first part of every repository ref (`local:acme/churn`). Default `local`. */
  name?: string;
  /** The folder searched for repositories. */
  root: string;
  /** Files larger than this are answered `too-large` (their bytes are never buffered). Default 10 MiB. */
  maxFileBytes?: number;
  /** A repository's `git cat-file` process ends after this long unused. Default 60 s. */
  idleTimeoutMs?: number;
  /**
   * Tagger of the tags the mutations write when the caller names none. Default: git's own
   * configuration (`user.name`, `user.email`), else `Modelgate <modelgate@localhost>`.
   */
  tagger?: { name: string; email: string };
}

/** One repository's handle: where it is, its batch process, and what is known by SHA. */
interface Repository {
  info: RepositoryInfo;
  found: FoundRepository;
  /** Inode of the Git directory when first seen: a repository replaced in place gets a fresh process. */
  inode: number;
  batch: CatFileBatch;
  /** Parsed tag objects by SHA (immutable, so never invalidated). */
  tags: Map<string, TagObject>;
  /** Commit SHAs known to exist (bounded; only saves a look-up). */
  commits: Set<string>;
}

const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const KNOWN_COMMITS_LIMIT = 100_000;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
// Tags of tags of tags… exist; a chain this long is damage, not history.
const MAX_TAG_CHAIN = 16;
const UNLIMITED = Number.POSITIVE_INFINITY;
const FALLBACK_TAGGER = { name: 'Modelgate', email: 'modelgate@localhost' };

/**
 * The `local` source: every Git repository (bare or with a work tree) below a folder, read
 * with the git CLI.
 *
 * Per repository it runs at most two kinds of process: one `git for-each-ref` per
 * `readRefs`, and one long-lived `git cat-file --batch` that answers every tag object,
 * commit, tree and file read, shared by concurrent callers. So the number of processes does
 * not grow with the number of files (`processesSpawned` counts them). HEAD is read from the
 * Git directory's `HEAD` file, without a process.
 *
 * Failures of git or of the file system (a repository that disappeared, an unknown commit)
 * are `UpstreamError`s whose message names the repository ref; malformed SHAs from the caller
 * are `InputError`s. Nothing here knows about DVC.
 */
export class LocalGitSource implements GitSource {
  readonly kind = 'local' as const;
  readonly name: string;
  /** Absolute folder searched for repositories. */
  readonly root: string;
  readonly maxFileBytes: number;
  private readonly idleTimeoutMs: number;
  private readonly tagger: { name: string; email: string } | undefined;
  private readonly repositories = new Map<string, Repository>();
  private spawned = 0;

  private constructor(options: LocalGitSourceOptions) {
    this.name = options.name ?? 'local';
    this.root = resolve(options.root);
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.tagger = options.tagger;
  }

  /** Creates the source; nothing is read until the first call. */
  static create(options: LocalGitSourceOptions): LocalGitSource {
    return new LocalGitSource(options);
  }

  /** How many git processes this source has started so far (for tests and metrics). */
  get processesSpawned(): number {
    return this.spawned;
  }

  /**
   * Every repository below the root, sorted by path (rules in `findRepositories`). When the
   * root is itself a repository, it is the only one and its path is the root's folder name.
   */
  async listRepositories(): Promise<RepositoryInfo[]> {
    let found: FoundRepository[];
    try {
      found = await findRepositories(this.root);
    } catch (error) {
      throw new UpstreamError(
        `The ${this.name} source cannot read its folder ${this.root}: ${messageOf(error)}. Check the source's path in the configuration.`,
        this.name,
        undefined,
        { cause: error },
      );
    }
    const seen = new Set<string>();
    const infos: RepositoryInfo[] = [];
    for (const repository of found) {
      seen.add(repository.path);
      const opened = await this.open(repository);
      // Checked after the await: a concurrent listing may have opened it meanwhile (an unused handle holds no process).
      const known = this.repositories.get(repository.path);
      if (!known || known.found.gitDir !== repository.gitDir) {
        known?.batch.close();
        this.repositories.set(repository.path, opened);
      }
      const remoteUrls = await readRemoteUrls(repository.gitDir);
      infos.push({ ...this.describe(repository), ...(remoteUrls.length > 0 ? { remoteUrls } : {}) });
    }
    for (const [path, repository] of this.repositories) {
      if (seen.has(path)) continue;
      repository.batch.close();
      this.repositories.delete(path);
    }
    return infos;
  }

  async readRefs(info: RepositoryInfo): Promise<RepositoryRefs> {
    const repository = await this.repository(info);
    const [listing, head] = await Promise.all([
      this.git(repository, ['for-each-ref', '--format=%(objectname)%00%(objecttype)%00%(refname)', 'refs/tags', 'refs/heads']),
      this.readHead(repository),
    ]);

    const heads = new Map<string, string>();
    const tagRefs: { name: string; sha: string; type: string }[] = [];
    for (const line of listing.split('\n')) {
      const [sha = '', type = '', refname = ''] = line.split('\0');
      if (refname.startsWith('refs/heads/')) heads.set(refname.slice('refs/heads/'.length), sha);
      else if (refname.startsWith('refs/tags/')) tagRefs.push({ name: refname.slice('refs/tags/'.length), sha, type });
    }

    await this.loadTagObjects(repository, tagRefs.filter((ref) => ref.type === 'tag').map((ref) => ref.sha));
    const tags: RawTag[] = [];
    for (const ref of tagRefs) {
      if (ref.type === 'commit') {
        tags.push({ name: ref.name, commit: ref.sha });
        continue;
      }
      if (ref.type !== 'tag') continue; // a tag on a tree or blob names no commit
      const outer = repository.tags.get(ref.sha);
      const commit = this.peel(repository, ref.sha);
      if (!outer || !commit) continue;
      tags.push({ name: ref.name, commit, annotation: { sha: ref.sha, tagger: outer.tagger, message: outer.message } });
    }

    const refs: RepositoryRefs = { tags };
    const branch = head.branch ?? (head.unknown ? await this.symbolicHead(repository) : undefined);
    const headCommit = branch === undefined ? head.detached : heads.get(branch);
    if (branch !== undefined && headCommit !== undefined) refs.defaultBranch = branch;
    if (headCommit !== undefined) refs.headCommit = headCommit;
    return refs;
  }

  async listFiles(info: RepositoryInfo, commits: readonly string[]): Promise<string[][]> {
    const repository = await this.repository(info);
    for (const commit of commits) checkSha(commit, info);
    const roots = await this.read(
      repository,
      commits.map((commit) => ({ spec: `${commit.toLowerCase()}^{tree}`, maxBytes: UNLIMITED })),
    );
    const trees = new Map<string, TreeEntry[]>();
    const rootShas = roots.map((reply, index) => {
      if (reply.kind !== 'object' || reply.type !== 'tree' || !reply.data) throw this.unknownCommit(info, commits[index] ?? '');
      trees.set(reply.sha, parseTreeEntries(reply.data, reply.sha.length / 2));
      return reply.sha;
    });

    // Fetch level by level: every subtree of a level in one batch write, each tree once.
    let frontier = [...trees.values()];
    while (frontier.length > 0) {
      const wanted = new Set<string>();
      for (const entries of frontier) {
        for (const entry of entries) if (entry.mode === '40000' && !trees.has(entry.sha)) wanted.add(entry.sha);
      }
      const shas = [...wanted];
      const replies = await this.read(repository, shas.map((sha) => ({ spec: sha, maxBytes: UNLIMITED })));
      frontier = replies.map((reply, index) => {
        if (reply.kind !== 'object' || reply.type !== 'tree' || !reply.data) {
          throw new UpstreamError(`${info.ref}: tree ${shas[index] ?? ''} is missing from the object database (damaged repository?)`, this.name);
        }
        const entries = parseTreeEntries(reply.data, reply.sha.length / 2);
        trees.set(reply.sha, entries);
        return entries;
      });
    }

    const flatten = (sha: string, prefix: string, into: string[]): string[] => {
      for (const entry of trees.get(sha) ?? []) {
        if (entry.mode === '40000') flatten(entry.sha, `${prefix}${entry.name}/`, into);
        else if (entry.mode !== '160000') into.push(`${prefix}${entry.name}`); // submodules hold no blob here
      }
      return into;
    };
    return rootShas.map((sha) => flatten(sha, '', []));
  }

  async readFiles(info: RepositoryInfo, files: readonly FileRequest[]): Promise<FileContent[]> {
    const repository = await this.repository(info);
    for (const file of files) checkSha(file.commit, info);
    // Unknown commits are checked in the same write, so a missing commit is never mistaken for a missing path.
    const unverified = [...new Set(files.map((file) => file.commit.toLowerCase()))].filter((commit) => !repository.commits.has(commit));
    const askable = files.map((file) => isAskablePath(file.path));
    const requests: BatchRequest[] = [
      ...unverified.map((commit) => ({ spec: commit, maxBytes: 0 })),
      ...files.flatMap((file, index) => (askable[index] ? [{ spec: `${file.commit.toLowerCase()}:${file.path}`, maxBytes: this.maxFileBytes }] : [])),
    ];
    const replies = await this.read(repository, requests);
    unverified.forEach((commit, index) => {
      const reply = replies[index];
      if (reply?.kind !== 'object' || reply.type !== 'commit') throw this.unknownCommit(info, commit);
      this.rememberCommit(repository, commit);
    });

    let next = unverified.length;
    return files.map((_, index): FileContent => {
      if (!askable[index]) return { found: false, reason: 'missing' };
      const reply = replies[next++];
      return reply ? this.toFileContent(reply) : { found: false, reason: 'missing' };
    });
  }

  async readCommits(info: RepositoryInfo, shas: readonly string[]): Promise<CommitInfo[]> {
    const repository = await this.repository(info);
    for (const sha of shas) checkSha(sha, info);
    const replies = await this.read(repository, shas.map((sha) => ({ spec: sha.toLowerCase(), maxBytes: UNLIMITED })));
    return replies.map((reply, index) => {
      const sha = (shas[index] ?? '').toLowerCase();
      if (reply.kind !== 'object' || reply.type !== 'commit' || !reply.data) throw this.unknownCommit(info, sha);
      this.rememberCommit(repository, sha);
      return parseCommitObject(reply.sha, reply.data.toString('utf8'));
    });
  }

  /**
   * `git tag -a NAME -m MESSAGE COMMIT` in the repository (no token: the folder is ours). The
   * tagger is `author.tagger`, else the source's `tagger`, else git's configured identity, else
   * `Modelgate <modelgate@localhost>`; the time is now. An existing tag name is a
   * `ConflictError` (never moved), a SHA that names no commit an `InputError`. Git stores the
   * message as `-m` does: trailing whitespace trimmed, one final newline.
   */
  async writeTag(info: RepositoryInfo, tag: TagToCreate, author: TagAuthor): Promise<void> {
    const repository = await this.repository(info);
    checkSha(tag.commit, info);
    const commit = tag.commit.toLowerCase();
    const ref = `refs/tags/${tag.name}`;
    const [validName, exists, type] = await Promise.all([
      this.git(repository, ['check-ref-format', ref]).then(() => true, () => false),
      this.git(repository, ['rev-parse', '--verify', '-q', ref]).then(() => true, () => false),
      this.git(repository, ['cat-file', '-t', commit]).then((out) => out.trim(), () => undefined),
    ]);
    if (!validName) throw new InputError(`${info.ref}: "${tag.name}" cannot be a Git tag name.`);
    if (exists) throw new ConflictError(`${info.ref}: tag ${tag.name} exists already; tags are never moved. Refresh the repository and try again.`);
    if (type !== 'commit') throw new InputError(`${info.ref}: ${commit} is not a commit of the repository.`);
    const tagger = author.tagger ?? this.tagger ?? ((await this.hasIdentity(repository)) ? undefined : FALLBACK_TAGGER);
    const env: Record<string, string> = tagger ? { GIT_COMMITTER_NAME: tagger.name, GIT_COMMITTER_EMAIL: tagger.email } : {};
    this.spawned += 1;
    try {
      await runGit(['--git-dir', repository.found.gitDir, 'tag', '-a', '-m', tag.message, tag.name, commit], env);
    } catch (error) {
      if (/already exists/.test(messageOf(error))) throw new ConflictError(`${info.ref}: tag ${tag.name} exists already; tags are never moved. Refresh the repository and try again.`);
      throw new UpstreamError(`${info.ref}: git tag ${tag.name} failed: ${messageOf(error)}`, this.name, undefined, { cause: error });
    }
  }

  /** Ends every repository's `git cat-file` process. Idempotent; later calls start new ones. */
  async close(): Promise<void> {
    for (const repository of this.repositories.values()) repository.batch.close();
  }

  private describe(found: FoundRepository): RepositoryInfo {
    return {
      ref: `${this.name}:${found.path}`,
      source: this.name,
      kind: 'local',
      path: found.path,
      host: 'local',
      fullName: found.path,
      url: pathToFileURL(found.dir).href,
    };
  }

  private async open(found: FoundRepository): Promise<Repository> {
    const info = this.describe(found);
    let inode = 0;
    try {
      inode = (await stat(found.gitDir)).ino;
    } catch {
      // Gone between listing and opening: `alive` reports it on first use.
    }
    return {
      info,
      found,
      inode,
      tags: new Map(),
      commits: new Set(),
      batch: new CatFileBatch({
        gitDir: found.gitDir,
        label: info.ref,
        upstream: this.name,
        idleTimeoutMs: this.idleTimeoutMs,
        onSpawn: () => {
          this.spawned += 1;
        },
      }),
    };
  }

  /** The live handle for a repository ref; lists the root again for a ref not seen yet. */
  private async repository(info: RepositoryInfo): Promise<Repository> {
    if (info.source !== this.name) {
      throw new InputError(`Repository ${info.ref} belongs to source "${info.source}", not to the local source "${this.name}".`);
    }
    let repository = this.repositories.get(info.path);
    if (!repository) {
      await this.listRepositories();
      repository = this.repositories.get(info.path);
    }
    if (!repository) {
      throw new UpstreamError(`${info.ref}: no Git repository at ${info.path} below ${this.root}; it may have been moved or deleted.`, this.name);
    }
    return this.alive(repository);
  }

  /** Fails with the ref when the repository's Git directory is gone; restarts the process if it was replaced. */
  private async alive(repository: Repository): Promise<Repository> {
    let inode: number;
    try {
      inode = (await stat(repository.found.gitDir)).ino;
    } catch (error) {
      repository.batch.close();
      this.repositories.delete(repository.found.path);
      throw new UpstreamError(
        `${repository.info.ref}: the repository at ${repository.found.dir} cannot be read any more (${messageOf(error)}); it may have been moved or deleted.`,
        this.name,
        undefined,
        { cause: error },
      );
    }
    if (inode === repository.inode) return repository;
    const replaced = await this.open(repository.found);
    const current = this.repositories.get(repository.found.path);
    if (current && current !== repository) return current; // a concurrent call replaced it first
    repository.batch.close();
    this.repositories.set(repository.found.path, replaced);
    return replaced;
  }

  private async git(repository: Repository, args: readonly string[]): Promise<string> {
    this.spawned += 1;
    try {
      return (await runGit(['--git-dir', repository.found.gitDir, ...args])).stdout;
    } catch (error) {
      throw new UpstreamError(`${repository.info.ref}: git ${args[0] ?? ''} failed: ${messageOf(error)}`, this.name, undefined, { cause: error });
    }
  }

  /** Whether git knows who is tagging (`user.name`/`user.email` or the environment), so `git tag -a` will not fail for want of it. */
  private async hasIdentity(repository: Repository): Promise<boolean> {
    return this.git(repository, ['var', 'GIT_COMMITTER_IDENT']).then(
      () => true,
      () => false,
    );
  }

  private async read(repository: Repository, requests: readonly BatchRequest[]): Promise<BatchReply[]> {
    try {
      return await repository.batch.read(requests);
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError(`${repository.info.ref}: reading objects failed: ${messageOf(error)}`, this.name, undefined, { cause: error });
    }
  }

  /**
   * Where HEAD points, from the `HEAD` file (no process). `unknown` asks for `git symbolic-ref`:
   * reftable repositories keep a placeholder there, and an unreadable file is not proof of anything.
   */
  private async readHead(repository: Repository): Promise<{ branch?: string; detached?: string; unknown?: true }> {
    let text: string;
    try {
      text = (await readFile(resolve(repository.found.gitDir, 'HEAD'), 'utf8')).trim();
    } catch {
      return { unknown: true };
    }
    const symbolic = /^ref: refs\/heads\/(.+)$/.exec(text);
    if (symbolic?.[1] && symbolic[1] !== '.invalid') return { branch: symbolic[1] };
    if (SHA.test(text)) return { detached: text };
    return { unknown: true };
  }

  private async symbolicHead(repository: Repository): Promise<string | undefined> {
    try {
      const ref = (await this.git(repository, ['symbolic-ref', '-q', 'HEAD'])).trim();
      return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
    } catch {
      return undefined; // detached or unborn: no default branch to report
    }
  }

  /** Reads the tag objects not cached yet, following tags of tags, a batch per level. */
  private async loadTagObjects(repository: Repository, shas: readonly string[]): Promise<void> {
    let wanted = [...new Set(shas)].filter((sha) => !repository.tags.has(sha));
    for (let depth = 0; wanted.length > 0 && depth < MAX_TAG_CHAIN; depth += 1) {
      const replies = await this.read(repository, wanted.map((sha) => ({ spec: sha, maxBytes: UNLIMITED })));
      const next = new Set<string>();
      replies.forEach((reply, index) => {
        if (reply.kind !== 'object' || reply.type !== 'tag' || !reply.data) {
          throw new UpstreamError(`${repository.info.ref}: tag object ${wanted[index] ?? ''} cannot be read (damaged repository?)`, this.name);
        }
        const tag = parseTagObject(reply.data.toString('utf8'));
        repository.tags.set(reply.sha, tag);
        if (tag.type === 'tag' && !repository.tags.has(tag.object)) next.add(tag.object);
      });
      wanted = [...next];
    }
  }

  /** The commit a tag object finally points at, or undefined if it ends at a tree, blob or unknown object. */
  private peel(repository: Repository, sha: string): string | undefined {
    let tag = repository.tags.get(sha);
    for (let depth = 0; tag && depth < MAX_TAG_CHAIN; depth += 1) {
      if (tag.type === 'commit') return tag.object;
      if (tag.type !== 'tag') return undefined;
      tag = repository.tags.get(tag.object);
    }
    return undefined;
  }

  private toFileContent(reply: BatchReply): FileContent {
    switch (reply.kind) {
      case 'object':
        if (reply.type !== 'blob') return { found: false, reason: 'not-a-file' };
        if (!reply.data) return { found: false, reason: 'too-large', size: reply.size };
        return decodeText(reply.data, reply.size);
      case 'missing':
      case 'ambiguous':
        return { found: false, reason: 'missing' };
      case 'unresolved':
        // A link to nothing reads like a missing file; one leaving the repository or looping is no file we can give.
        return reply.reason === 'dangling' || reply.reason === 'notdir'
          ? { found: false, reason: 'missing' }
          : { found: false, reason: 'not-a-file' };
    }
  }

  private rememberCommit(repository: Repository, sha: string): void {
    if (repository.commits.size >= KNOWN_COMMITS_LIMIT) repository.commits.clear();
    repository.commits.add(sha);
  }

  private unknownCommit(info: RepositoryInfo, sha: string): UpstreamError {
    return new UpstreamError(
      `${info.ref}: commit ${sha} does not exist in the repository (rewritten history, or a SHA from another repository?)`,
      this.name,
    );
  }
}



