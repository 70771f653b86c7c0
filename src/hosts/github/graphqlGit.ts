import type { SimBlob, SimCommit, SimGit, SimRepository, SimTag, SimTreeEntry } from '../types.js';

/** A ref with what GitHub shows of it: `refs/tags/churn@v1.2.0` and the object it points at. */
export interface SimRef {
  /** Full name, `refs/heads/main` or `refs/tags/churn@v1.2.0`. */
  qualifiedName: string;
  /** The ref's target: the tag object for an annotated tag, else the commit. */
  sha: string;
  /** The commit it finally points at. */
  commit: string;
  annotated: boolean;
}

/** A tree entry found by path, with its path from the repository root. */
export interface SimEntryAt {
  entry: SimTreeEntry;
  path: string;
}

/** The kinds of Git object GitHub's GraphQL schema has a type for. */
export type GitObjectKind = 'Commit' | 'Tag' | 'Tree' | 'Blob';

const FULL_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * Git objects by full SHA, kept across requests: a commit, tree, tag or blob never changes,
 * so a warm simulator answers a repeated batch without running git for them (refs, which
 * do change, are read again by every request). Bounded by entries and by bytes, least
 * recently used first out. Misses are not cached: an object may be pushed later.
 */
export class GitObjectCache {
  private readonly entries = new Map<string, { value: unknown; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly maxEntries = 100_000,
  ) {}

  get(key: string): unknown {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: unknown, bytes: number): void {
    if (bytes > this.maxBytes / 8) return; // one huge blob must not flush everything else
    const old = this.entries.get(key);
    if (old) this.bytes -= old.bytes;
    this.entries.delete(key);
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes && this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }
}

/**
 * One request's view of the served repositories: every read of `SimGit` memoised for the
 * request (a batched query asks for the same commit or tree many times), immutable objects
 * shared across requests through `objects`, and only the repositories the caller may read
 * are found. Created per request.
 */
export class RequestGit {
  private readonly memo = new Map<string, Promise<unknown>>();
  /** Paths of the repositories this request resolved, for per-repository call counts. */
  readonly touched = new Set<string>();

  constructor(
    readonly git: SimGit,
    private readonly canRead: (path: string) => boolean,
    private readonly objects: GitObjectCache = new GitObjectCache(),
  ) {}

  /** Every repository GitHub could name (`owner/name`, two segments), readable or not. */
  allRepositories(): Promise<SimRepository[]> {
    return this.once('repositories', async () => (await this.git.repositories()).filter((r) => r.path.split('/').length === 2));
  }

  /** Repositories the caller may read. */
  async readableRepositories(): Promise<SimRepository[]> {
    return (await this.allRepositories()).filter((r) => this.canRead(r.path));
  }

  /** A readable repository by `owner/name`, case-insensitively as GitHub finds them. */
  async find(path: string): Promise<SimRepository | undefined> {
    const wanted = path.toLowerCase();
    const repo = (await this.allRepositories()).find((r) => r.path.toLowerCase() === wanted);
    if (!repo || !this.canRead(repo.path)) return undefined;
    this.touched.add(repo.path);
    return repo;
  }

  /** The owners (first path segments) of all repositories, as spelled on disk. */
  async owners(): Promise<string[]> {
    return [...new Set((await this.allRepositories()).map((r) => r.path.split('/')[0] ?? ''))];
  }

  defaultBranch(repo: SimRepository): Promise<{ name: string; commit?: string }> {
    return this.once(`head ${repo.gitDir}`, () => this.git.defaultBranch(repo));
  }

  /**
   * Refs whose full name starts with `prefix`, sorted by full name. Only the kinds of ref
   * the prefix can match are listed (each kind costs a `git for-each-ref`).
   */
  async refs(repo: SimRepository, prefix = 'refs/'): Promise<SimRef[]> {
    const wantsBranches = 'refs/heads/'.startsWith(prefix) || prefix.startsWith('refs/heads/');
    const wantsTags = 'refs/tags/'.startsWith(prefix) || prefix.startsWith('refs/tags/');
    const [branches, tags] = await Promise.all([wantsBranches ? this.branches(repo) : [], wantsTags ? this.tags(repo) : []]);
    const refs: SimRef[] = [
      ...branches.map((b) => ({ qualifiedName: `refs/heads/${b.name}`, sha: b.commit, commit: b.commit, annotated: false })),
      ...tags.map((t) => ({ qualifiedName: `refs/tags/${t.name}`, sha: t.sha, commit: t.commit, annotated: t.annotation !== undefined })),
    ];
    return refs.filter((r) => r.qualifiedName.startsWith(prefix)).sort((a, b) => (a.qualifiedName < b.qualifiedName ? -1 : a.qualifiedName > b.qualifiedName ? 1 : 0));
  }

  branches(repo: SimRepository): Promise<{ name: string; commit: string }[]> {
    return this.once(`branches ${repo.gitDir}`, () => this.git.branches(repo));
  }

  tags(repo: SimRepository): Promise<SimTag[]> {
    return this.once(`tags ${repo.gitDir}`, () => this.git.tags(repo));
  }

  resolveCommit(repo: SimRepository, rev: string): Promise<string | undefined> {
    return this.once(`rev ${repo.gitDir} ${rev}`, async () => {
      const direct = await this.git.resolveCommit(repo, rev);
      if (direct) return direct;
      const short = /^refs\/(?:heads|tags)\/(.+)$/.exec(rev)?.[1];
      return short ? this.git.resolveCommit(repo, short) : undefined;
    });
  }

  commit(repo: SimRepository, sha: string): Promise<SimCommit | undefined> {
    return this.immutable(`commit ${repo.gitDir} ${sha}`, sha, () => this.git.commit(repo, sha), (c) => 300 + c.message.length);
  }

  tagObject(repo: SimRepository, sha: string): ReturnType<SimGit['tagObject']> {
    return this.immutable(`tag ${repo.gitDir} ${sha}`, sha, () => this.git.tagObject(repo, sha), (t) => 300 + (t.annotation?.message.length ?? 0));
  }

  /** One level of a tree, by tree (or commit) SHA. */
  tree(repo: SimRepository, sha: string): ReturnType<SimGit['tree']> {
    return this.immutable(`tree ${repo.gitDir} ${sha}`, sha, () => this.git.tree(repo, sha, false), (t) => 100 + 120 * t.entries.length);
  }

  blob(repo: SimRepository, sha: string): Promise<SimBlob | undefined> {
    return this.immutable(`blob ${repo.gitDir} ${sha}`, sha, () => this.git.blob(repo, sha), (b) => 100 + b.content.length);
  }

  /** The blob at `path` in a commit, read in one step (no tree listing). */
  fileAt(repo: SimRepository, commit: string, path: string): Promise<SimBlob | undefined> {
    // A path in a commit (by full SHA) always names the same blob.
    return this.immutable(`file ${repo.gitDir} ${commit} ${path}`, commit, async () => {
      const blob = await this.git.fileAt(repo, commit, path);
      if (blob) this.memo.set(`blob ${repo.gitDir} ${blob.sha}`, Promise.resolve(blob));
      return blob;
    }, (b) => 100 + b.content.length);
  }

  /** The tree entry at `path` in a commit (blob, tree or submodule), walking down one directory at a time. */
  async entryAt(repo: SimRepository, commit: string, path: string): Promise<SimEntryAt | undefined> {
    const segments = path.split('/').filter((s) => s !== '');
    const root = await this.commit(repo, commit);
    if (!root || segments.length === 0) return undefined;
    let treeSha = root.tree;
    let found: SimTreeEntry | undefined;
    for (const [i, segment] of segments.entries()) {
      const tree = await this.tree(repo, treeSha);
      found = tree?.entries.find((e) => e.path === segment);
      if (!found) return undefined;
      if (i < segments.length - 1) {
        if (found.type !== 'tree') return undefined;
        treeSha = found.sha;
      }
    }
    return found ? { entry: found, path: segments.join('/') } : undefined;
  }

  /** The SHA of what is at `path` in a commit (undefined when nothing is), for history filtering. */
  async pathOid(repo: SimRepository, commit: string, path: string): Promise<string | undefined> {
    const blob = await this.fileAt(repo, commit, path);
    if (blob) return blob.sha;
    return (await this.entryAt(repo, commit, path))?.entry.sha;
  }

  /** What kind of object a SHA (full or abbreviated) names in this repository, and its full SHA. Commits are tried first: they are asked for most. */
  object(repo: SimRepository, sha: string): Promise<{ kind: GitObjectKind; sha: string } | undefined> {
    return this.once(`object ${repo.gitDir} ${sha}`, async () => {
      if (!/^[0-9a-f]{4,64}$/i.test(sha)) return undefined;
      const commit = await this.commit(repo, sha);
      if (commit) return { kind: 'Commit' as const, sha: commit.sha };
      const tag = await this.tagObject(repo, sha);
      if (tag) return { kind: 'Tag' as const, sha: tag.sha };
      const blob = await this.blob(repo, sha);
      if (blob) return { kind: 'Blob' as const, sha: blob.sha };
      // `tree` peels commits and tags to their trees, so it is asked last and checked.
      const tree = await this.tree(repo, sha);
      return tree?.sha.startsWith(sha.toLowerCase()) ? { kind: 'Tree' as const, sha: tree.sha } : undefined;
    });
  }

  /** `once`, backed by the shared cache when `sha` is a full SHA (abbreviations may grow ambiguous). */
  private immutable<T>(key: string, sha: string, load: () => Promise<T | undefined>, bytes: (value: T) => number): Promise<T | undefined> {
    if (!FULL_SHA.test(sha)) return this.once(key, load);
    return this.once(key, async () => {
      const cached = this.objects.get(key) as T | undefined;
      if (cached !== undefined) return cached;
      const value = await load();
      if (value !== undefined) this.objects.set(key, value, bytes(value));
      return value;
    });
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let value = this.memo.get(key) as Promise<T> | undefined;
    if (!value) {
      value = load();
      this.memo.set(key, value);
    }
    return value;
  }
}
