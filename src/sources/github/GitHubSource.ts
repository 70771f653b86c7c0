import { posix } from 'node:path';
import type { Octokit } from '@octokit/rest';
import { ConflictError, ForbiddenError, InputError, UnauthenticatedError, UpstreamError, messageOf } from '../../errors.js';
import type { Logger } from '../../log.js';
import { CachedObjects, hostNamespace } from '../CachedObjects.js';
import type { ObjectEntry } from '../CachedObjects.js';
import { asCommitInfo, asFileContent, isRecord } from '../cachedShapes.js';
import { decodeText } from '../decodeText.js';
import { MemoryObjectCache } from '../MemoryObjectCache.js';
import type { ObjectCache } from '../ObjectCache.js';
import type { CommitInfo, FileContent, FileRequest, GitSource, RawTag, RepositoryInfo, RepositoryRefs, TagAuthor, TagToCreate } from '../types.js';
import { BatchError, GraphqlBatcher } from './GraphqlBatcher.js';
import type { BatchPiece, GraphqlErrorEntry } from './GraphqlBatcher.js';
import { signatureOf, type GitActor } from './gitTimestamp.js';
import { checkSha, isAskablePath } from '../requestChecks.js';

/** Options of `GitHubSource.create`. */
export interface GitHubSourceOptions {
  /** The source name: the first part of every repository ref (`github:acme/churn`). Default `github`. */
  name?: string;
  /**
   * The client (`createGitHubClient`), or a factory given the request counter to pass as
   * `onRequest`. Only with the factory does `apiCalls` count retries; an instance is counted
   * from the outside (one per logical request).
   */
  client: Octokit | ((onRequest: () => void) => Octokit);
  /**
   * A client made with a caller's own token, for `writeTag` (`createGitHubClient({ baseUrl, token })`).
   * Tags are never written with the indexing client. Without it the source cannot write tags.
   */
  writeClient?: (token: string) => Octokit;
  /** REST base URL the client uses; gives the host shown to users. Default `https://api.github.com`. */
  baseUrl?: string;
  /** Repositories to index: `owner/name`. */
  repos?: readonly string[];
  /** Organisations (or users) whose every repository is indexed. */
  orgs?: readonly string[];
  /** Files larger than this are answered `too-large`. Default 10 MiB, as the local source. */
  maxFileBytes?: number;
  /** Page size of repository listings (GitHub's maximum, 100, by default). */
  perPage?: number;
  /**
   * How much one GraphQL query holds, in pieces (a commit, a tree, a blob per 16 KiB, a page of
   * 100 tags counts 10). Default 250.
   */
  objectsPerQuery?: number;
  /** GraphQL queries in flight at once; pieces asked meanwhile wait and go together. Default 4. */
  queriesInFlight?: number;
  /** Repositories the indexer should work on at once (their pieces share queries). Default 32. */
  concurrency?: number;
  /**
   * How a repository whose refs were read before is checked again. `graphql` (default): its
   * tags are re-read in the batched queries, about one point per 25 repositories and no other
   * request. `etag`: two conditional REST requests per repository, both answered 304 when
   * nothing changed, which GitHub does not charge against the primary rate limit; costs one
   * more REST call per repository cold (docs/decisions/0002).
   */
  refsCheck?: 'graphql' | 'etag';
  /** Entries each in-memory cache keeps (the oldest tenth goes when full). Default 200,000. */
  cacheEntries?: number;
  /**
   * Unseen trees one listing round may ask GraphQL for; above it, one REST recursive listing
   * reads the whole tree (a first look at a large monorepo). Default 100.
   */
  maxGraphqlTreesPerRound?: number;
  /** Longest wait for a GraphQL `RATE_LIMITED` reset before failing. Default 900 s. */
  maxRateLimitWaitSeconds?: number;
  /**
   * Where commits, trees, blobs and tag objects go once read, and are looked for before asking
   * GitHub (after the source's own memory): a `RedisObjectCache` outlives restarts and is shared
   * by workers. Default: a `MemoryObjectCache`.
   */
  objectCache?: ObjectCache;
  log?: Logger;
}

/** A conditional GET's stored answer. */
interface Validated {
  etag: string;
  data: unknown;
  link?: string;
}

interface BlobAnswer {
  __typename: string;
  oid?: string;
  byteSize?: number;
  isBinary?: boolean | null;
  isTruncated?: boolean;
  text?: string | null;
}

interface EntryAnswer {
  name: string;
  type: string;
  oid: string;
  size?: number;
  mode?: number;
}

interface CommitAnswer {
  __typename: string;
  oid?: string;
  message?: string;
  author?: GitActor | null;
  committer?: GitActor | null;
  parents?: { nodes: ({ oid: string } | null)[] | null };
  tree?: { oid: string; entries: EntryAnswer[] | null } | null;
}

/** A tag's target as the refs query selects it: `Tag`s nest their own target. */
interface TagTarget {
  __typename: string;
  oid: string;
  message?: string;
  tagger?: GitActor | null;
  target?: TagTarget;
}

interface RefsPage {
  refs: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ({ name: string; target: TagTarget | null } | null)[] | null } | null;
  branch?: { name: string; target: { oid: string } | null } | null;
}

/** One entry of a cached tree. `commit` entries are submodules (no file here). */
interface TreeEntry {
  /** `link`: a symbolic link (a blob of mode 120000 holding the target path); `commit`: a submodule. */
  type: 'blob' | 'link' | 'tree' | 'commit';
  oid: string;
  size?: number;
}

/** A commit as cached: its metadata and its root tree. */
interface KnownCommit {
  info: CommitInfo;
  tree: string;
}

/** An annotated tag object, immutable: cached by its SHA. */
interface KnownTag {
  tagger: GitActor | null;
  message: string;
  /** The commit it finally points at; undefined for a tag of a tree or blob. */
  commit?: string;
}

interface GraphqlFailure {
  name?: string;
  errors?: GraphqlErrorEntry[];
  data?: Record<string, unknown> | null;
  headers?: Record<string, string | undefined>;
}

const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Entries each in-memory cache (trees, blobs, commits, tag objects, file lists) keeps by default. */
const CACHE_LIMIT = 200_000;
/** Tag objects nested in one refs query; deeper chains are followed with `object(oid:)`. */
const PEEL_DEPTH = 4;
const MAX_TAG_CHAIN = 16;
const MAX_GRAPHQL_RATE_RETRIES = 5;

/** `target { __typename oid ... on Tag { target { … } } }`, `depth` Tag levels deep. */
function peel(depth: number): string {
  return depth === 0 ? '__typename oid' : `__typename oid ... on Tag { target { ${peel(depth - 1)} } }`;
}

const TAG_FIELDS = `__typename oid ... on Tag { message tagger { name email date } target { ${peel(PEEL_DEPTH)} } }`;
const BLOB_FIELDS = '__typename ... on Blob { oid byteSize isBinary isTruncated text }';
const ENTRY_FIELDS = 'entries { name type oid size mode }';
/** Git's mode of a symbolic link (GraphQL gives modes as integers). */
const SYMLINK_MODE = 0o120000;
/** Links followed to reach one file, as `git cat-file --follow-symlinks` allows. */
const MAX_LINK_HOPS = 40;
const COMMIT_FIELDS = `__typename ... on Commit { oid message author { name email date } committer { name email date } parents(first: 100) { nodes { oid } } tree { oid ${ENTRY_FIELDS} } }`;

/**
 * The `github` source: repositories on github.com or GitHub Enterprise Server, read through
 * GraphQL v4 (batched across repositories) and REST with the real Octokit.
 *
 * Every GraphQL read goes through one `GraphqlBatcher`: the pieces asked by all repositories
 * being indexed at once (a page of tags, a commit with its root tree, a tree, a blob) leave
 * together, up to `objectsPerQuery` per query, grouped under one `repository(owner:, name:)`
 * field each. Calls (measured in `test/sources/hostedScale.test.ts`):
 * - listing: `GET /repos/{o}/{r}` per configured repository, one `GET /orgs/{org}/repos` page
 *   (100 repositories) per org; all ETag'd, so an unchanged listing is free 304s;
 * - `readRefs`: a page of 100 tags (with their annotations) and the default branch per
 *   repository, batched: many repositories per query;
 * - `listFiles`: each commit never seen (metadata and root tree), then each tree never seen,
 *   level by level, batched; a large first tree is one REST `git/trees?recursive=1`;
 * - `readFiles`: each blob never seen, by its SHA (commits share most files), batched; REST
 *   `git/blobs/{sha}` for a file GraphQL cannot give exactly (over 512,000 bytes, binary, not UTF-8).
 *
 * Commits, trees, blobs and tag objects are cached by SHA for the source's life (immutable),
 * in memory first and then in the `objectCache`: each round of misses is one `get` there before
 * GitHub is asked, and what GitHub answered one `set`, so a restarted source that shares the
 * cache reads only new commits' objects. Refs are read again on every `readRefs`. Failures are `UpstreamError`s naming the repository
 * ref; a missing repository in a batch fails that repository only.
 */
export class GitHubSource implements GitSource {
  readonly kind = 'github' as const;
  readonly name: string;
  /** Host shown to users: `github.com`, or the Enterprise server's. */
  readonly host: string;
  readonly maxFileBytes: number;
  /** Repositories worth indexing at once: their requests share GraphQL queries. */
  readonly concurrency: number;
  private readonly octokit: Octokit;
  private readonly writeClient: ((token: string) => Octokit) | undefined;
  private readonly repos: readonly string[];
  private readonly orgs: readonly string[];
  private readonly perPage: number;
  private readonly maxRateLimitWaitMs: number;
  private readonly log: Logger | undefined;
  private readonly batcher: GraphqlBatcher;
  private readonly maxGraphqlTreesPerRound: number;
  private readonly refsCheck: 'graphql' | 'etag';
  private readonly cacheLimit: number;
  /** `etag` mode: what `readRefs` last saw and the tags' ETag that tells whether it still holds. */
  private readonly refsCache = new Map<string, { refs: RepositoryRefs; tagsEtag: string }>();
  private calls = 0;
  private readonly validated = new Map<string, Validated>();
  /** Tree SHA → its entries by name. Shared by all repositories: a SHA names the same content everywhere. */
  private readonly trees = new Map<string, Map<string, TreeEntry>>();
  /** Trees whose every subtree is cached too. */
  /** `<repo>\0<commit>` → the commit. Per repository: a commit of another repository is unknown here. */
  private readonly commits = new Map<string, KnownCommit>();
  private readonly fileLists = new Map<string, string[]>();
  private readonly blobs = new Map<string, FileContent>();
  private readonly tags = new Map<string, KnownTag>();
  /** The second level under the maps above. */
  private readonly objects: CachedObjects;

  private constructor(options: GitHubSourceOptions) {
    this.name = options.name ?? 'github';
    const count = () => {
      this.calls += 1;
    };
    if (typeof options.client === 'function') {
      this.octokit = options.client(count);
    } else {
      this.octokit = options.client;
      this.octokit.hook.wrap('request', (request, requestOptions) => {
        count();
        return request(requestOptions);
      });
    }
    this.host = webHost(options.baseUrl ?? 'https://api.github.com');
    this.writeClient = options.writeClient;
    this.objects = new CachedObjects(options.objectCache ?? new MemoryObjectCache(), hostNamespace('github', this.host), options.log);
    this.repos = options.repos ?? [];
    this.orgs = options.orgs ?? [];
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.perPage = options.perPage ?? 100;
    this.concurrency = Math.max(1, options.concurrency ?? 32);
    this.maxRateLimitWaitMs = (options.maxRateLimitWaitSeconds ?? 900) * 1000;
    this.log = options.log;
    this.maxGraphqlTreesPerRound = Math.max(0, options.maxGraphqlTreesPerRound ?? 100);
    this.refsCheck = options.refsCheck ?? 'graphql';
    this.cacheLimit = Math.max(1, options.cacheEntries ?? CACHE_LIMIT);
    this.batcher = new GraphqlBatcher((query, variables) => this.send(query, variables), {
      maxWeight: Math.max(1, options.objectsPerQuery ?? 250),
      maxInFlight: Math.max(1, options.queriesInFlight ?? 4),
    });
  }

  /** Creates the source; nothing is requested until the first call. */
  static create(options: GitHubSourceOptions): GitHubSource {
    return new GitHubSource(options);
  }

  /** HTTP requests sent so far (304s, retries with a factory client, failures included). */
  get apiCalls(): number {
    return this.calls;
  }

  /** GraphQL queries sent so far (each a batch of many pieces). */
  get graphqlQueries(): number {
    return this.batcher.queries;
  }

  /**
   * The configured repositories and every repository of the configured orgs (or users),
   * deduplicated case-insensitively and sorted by `owner/name`.
   *
   * A configured repository that answers 404 (missing, or the token cannot read it: GitHub
   * does not say which) is still listed, under its configured name, so that it shows up as a
   * failed repository: its `readRefs` throws an `UpstreamError` saying so.
   */
  async listRepositories(): Promise<RepositoryInfo[]> {
    const found = new Map<string, RepositoryInfo>();
    const add = (info: RepositoryInfo) => {
      const key = info.path.toLowerCase();
      if (!found.has(key)) found.set(key, info);
    };
    for (const full of this.repos) {
      const [owner, repo] = splitName(full);
      try {
        const data = (await this.conditionalGet('GET /repos/{owner}/{repo}', { owner, repo })).data as { full_name?: unknown; html_url?: unknown } | null;
        if (typeof data?.full_name !== 'string' || typeof data.html_url !== 'string') throw this.malformed(undefined, `repository ${full}`);
        add(this.describe(data.full_name, data.html_url));
      } catch (error) {
        if (statusOf(error) !== 404 && statusOf(error) !== 403) throw this.upstream(`listing ${full}`, error);
        this.log?.info(`${this.name}:${full}: GitHub answered ${statusOf(error)}; it is listed so that indexing reports it as failed.`);
        add(this.describe(`${owner}/${repo}`, `https://${this.host}/${owner}/${repo}`));
      }
    }
    for (const org of this.orgs) {
      let listed: { full_name: string; html_url: string }[];
      try {
        listed = await this.pages('GET /orgs/{org}/repos', { org });
      } catch (error) {
        if (statusOf(error) !== 404) throw this.upstream(`listing the repositories of ${org}`, error);
        try {
          listed = await this.pages('GET /users/{username}/repos', { username: org });
        } catch (userError) {
          throw this.upstream(
            `listing the repositories of ${org} (neither an organisation nor a user the token can see; check the source's orgs)`,
            userError,
          );
        }
      }
      for (const repository of listed) add(this.describe(repository.full_name, repository.html_url));
    }
    return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * Default branch, head and tags (with their annotations), one batched piece per 100 tags.
   * Tag objects nested deeper than the query peels are followed by SHA, batched too.
   */
  async readRefs(info: RepositoryInfo): Promise<RepositoryRefs> {
    const [owner, name] = this.split(info);
    if (this.refsCheck === 'graphql') return this.queryRefs(info, owner, name);
    // `etag`: two conditional REST requests decide whether the refs cached still hold; both 304 (free) → no GraphQL.
    const cached = this.refsCache.get(info.path);
    if (cached?.refs.defaultBranch !== undefined && cached.refs.headCommit !== undefined) {
      const [tags, head] = await Promise.all([
        this.notModified(info, 'GET /repos/{owner}/{repo}/git/matching-refs/{ref}', { owner, repo: name, ref: 'tags/' }, cached.tagsEtag),
        this.notModified(
          info,
          'GET /repos/{owner}/{repo}/commits/{ref}',
          { owner, repo: name, ref: cached.refs.defaultBranch, headers: { accept: 'application/vnd.github.sha' } },
          `"${cached.refs.headCommit}"`,
        ),
      ]);
      if (tags.unchanged && head.unchanged) return cloneRefs(cached.refs);
      return this.rememberRefs(info, await this.queryRefs(info, owner, name), tags.etag ?? cached.tagsEtag);
    }
    // The tags' ETag first, so a tag pushed while GraphQL runs makes the next check fail, never hides.
    let tagsEtag: string | undefined;
    try {
      const response = await this.octokit.request('GET /repos/{owner}/{repo}/git/matching-refs/{ref}', { owner, repo: name, ref: 'tags/' });
      tagsEtag = response.headers.etag;
    } catch (error) {
      // 409: an empty repository has no refs; GraphQL says so.
      if (statusOf(error) !== 409) throw this.upstream(`${info.ref}: reading tags`, error, info);
    }
    return this.rememberRefs(info, await this.queryRefs(info, owner, name), tagsEtag);
  }

  private rememberRefs(info: RepositoryInfo, refs: RepositoryRefs, tagsEtag: string | undefined): RepositoryRefs {
    if (tagsEtag !== undefined && refs.headCommit !== undefined) this.refsCache.set(info.path, { refs: cloneRefs(refs), tagsEtag });
    else this.refsCache.delete(info.path);
    return refs;
  }

  /** The refs through GraphQL: one batched piece per 100 tags, plus tag chains deeper than the query peels. */
  private async queryRefs(info: RepositoryInfo, owner: string, name: string): Promise<RepositoryRefs> {
    const refs: RepositoryRefs = { tags: [] };
    const listed: { name: string; target: TagTarget }[] = [];
    let after: string | null = null;
    for (let first = true; ; first = false) {
      const page = (await this.ask(info, {
        owner,
        name,
        weight: 10,
        field: (alias, v) =>
          `${alias}: refs(refPrefix: "refs/tags/", first: 100, after: ${v('String', after)}) { pageInfo { hasNextPage endCursor } nodes { name target { ${TAG_FIELDS} } } }` +
          (first ? `\n    ${alias}_branch: defaultBranchRef { name target { oid } }` : ''),
        pick: (data, alias) => ({ refs: data[alias] ?? null, branch: data[`${alias}_branch`] ?? null }),
      })) as RefsPage;
      if (first && page.branch?.target) {
        refs.defaultBranch = page.branch.name;
        refs.headCommit = page.branch.target.oid;
      }
      for (const node of page.refs?.nodes ?? []) if (node?.target) listed.push({ name: node.name, target: node.target });
      const pageInfo = page.refs?.pageInfo;
      if (!pageInfo?.hasNextPage || !pageInfo.endCursor) break;
      after = pageInfo.endCursor;
    }
    // Only tag chains deeper than the query peeled cost requests, so only those are looked up in the object cache.
    const deep = [...new Set(listed.flatMap(({ target }) => (target.__typename === 'Tag' && !this.tags.has(target.oid) && needsChain(target) ? [target.oid] : [])))];
    for (const [oid, known] of await this.objects.lookup('tag', deep, asKnownTag)) this.keep(this.tags, oid, known);
    const fetched: ObjectEntry[] = [];
    let peeled: (RawTag | undefined)[];
    try {
      peeled = await Promise.all(
        listed.map(async ({ name: tagName, target }): Promise<RawTag | undefined> => {
          if (target.__typename === 'Commit') return { name: tagName, commit: target.oid };
          if (target.__typename !== 'Tag') return undefined; // a tag of a tree or blob names no commit
          const tag = await this.tagObject(info, owner, name, target, fetched);
          if (!tag.commit) return undefined;
          return { name: tagName, commit: tag.commit, annotation: { sha: target.oid, tagger: signatureOf(tag.tagger), message: tag.message } };
        }),
      );
    } finally {
      await this.objects.store(fetched);
    }
    for (const tag of peeled) if (tag) refs.tags.push(tag);
    // for-each-ref's order (bytewise by name), as the local source gives.
    refs.tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return refs;
  }

  async listFiles(info: RepositoryInfo, commits: readonly string[]): Promise<string[][]> {
    const [owner, name] = this.split(info);
    for (const commit of commits) checkSha(commit, info);
    const wanted = commits.map((c) => c.toLowerCase());
    const known = await this.knownCommits(info, owner, name, wanted);
    const unlisted = known.filter((_, index) => !this.fileLists.has(`${info.path}\0${wanted[index]}`));
    const view = await this.treesOf(info, owner, name, [...new Set(unlisted.map((c) => c.tree))]);
    return wanted.map((commit, index) => {
      const key = `${info.path}\0${commit}`;
      let files = this.fileLists.get(key);
      if (!files) {
        files = flatten((known[index] as KnownCommit).tree, view);
        this.keep(this.fileLists, key, files);
      }
      return [...files];
    });
  }

  async readFiles(info: RepositoryInfo, files: readonly FileRequest[]): Promise<FileContent[]> {
    const [owner, name] = this.split(info);
    for (const file of files) checkSha(file.commit, info);
    const commits = [...new Set(files.map((file) => file.commit.toLowerCase()))];
    const known = new Map((await this.knownCommits(info, owner, name, commits)).map((c, i) => [commits[i] as string, c] as const));
    const view = await this.treesOf(info, owner, name, [...new Set([...known.values()].map((c) => c.tree))]);
    // What this call read, answered from here: the shared caches may forget entries while it runs.
    const contents = new Map<string, FileContent>();
    // Each path to its entry, symbolic links followed as the local source's `cat-file --follow-symlinks` does.
    const entries = await Promise.all(
      files.map((file) => (isAskablePath(file.path) ? this.resolve(info, owner, name, view, (known.get(file.commit.toLowerCase()) as KnownCommit).tree, file.path, contents) : 'missing')),
    );
    await this.readBlobs(info, owner, name, entries.filter((e): e is TreeEntry => typeof e !== 'string'), contents);
    return entries.map((entry): FileContent => {
      if (entry === 'missing' || entry === 'not-a-file') return { found: false, reason: entry };
      if (entry.type === 'tree') return { found: false, reason: 'not-a-file' };
      if (entry.type !== 'blob') return { found: false, reason: 'missing' }; // a submodule's commit is no file here
      if ((entry.size ?? 0) > this.maxFileBytes) return { found: false, reason: 'too-large', size: entry.size ?? 0 };
      return contents.get(entry.oid) ?? this.blobs.get(entry.oid) ?? { found: false, reason: 'missing' };
    });
  }

  /** Reads the blobs not known yet into `contents`: the object cache first, then GitHub, each blob once. */
  private async readBlobs(info: RepositoryInfo, owner: string, name: string, entries: readonly TreeEntry[], contents: Map<string, FileContent>): Promise<void> {
    const unread = new Map<string, TreeEntry>();
    for (const entry of entries) {
      if ((entry.type !== 'blob' && entry.type !== 'link') || (entry.size ?? 0) > this.maxFileBytes || contents.has(entry.oid)) continue;
      const cached = this.blobs.get(entry.oid);
      if (cached) contents.set(entry.oid, cached);
      else unread.set(entry.oid, entry);
    }
    for (const [oid, content] of await this.objects.lookup('blob', [...unread.keys()], (value) => asFileContent(value, this.maxFileBytes))) {
      this.keep(this.blobs, oid, content);
      contents.set(oid, content);
      unread.delete(oid);
    }
    const fetched: ObjectEntry[] = [];
    try {
      await Promise.all(
        [...unread.values()].map(async (entry) => {
          const answer = (await this.ask(info, {
            owner,
            name,
            weight: 1 + Math.floor((entry.size ?? 0) / 16_384),
            field: (alias, v) => `${alias}: object(oid: ${v('GitObjectID!', entry.oid)}) { ${BLOB_FIELDS} }`,
          })) as BlobAnswer | null;
          const content = await this.fileContent(info, owner, name, entry.oid, answer);
          this.keep(this.blobs, entry.oid, content);
          contents.set(entry.oid, content);
          // `too-large` depends on this source's limit, not on the blob: not for sources with other limits.
          if (content.found || content.reason !== 'too-large') fetched.push(['blob', entry.oid, content]);
        }),
      );
    } finally {
      await this.objects.store(fetched);
    }
  }

  /**
   * The entry at `path` below a complete tree, following symbolic links (also in the middle of
   * the path) at most MAX_LINK_HOPS times: a link leaving the repository or looping is
   * `not-a-file`, a dangling one or a path through a file `missing`, as the local source answers.
   */
  private async resolve(
    info: RepositoryInfo,
    owner: string,
    name: string,
    view: TreeView,
    root: string,
    path: string,
    contents: Map<string, FileContent>,
  ): Promise<TreeEntry | 'missing' | 'not-a-file'> {
    let segments = path.split('/');
    for (let hops = 0; ; ) {
      let entry: TreeEntry = { type: 'tree', oid: root };
      let followed = false;
      for (let i = 0; i < segments.length; i += 1) {
        if (entry.type !== 'tree') return 'missing';
        const next = view.get(entry.oid)?.get(segments[i] as string);
        if (!next) return 'missing';
        if (next.type === 'link') {
          hops += 1;
          if (hops > MAX_LINK_HOPS) return 'not-a-file';
          await this.readBlobs(info, owner, name, [next], contents);
          const link = contents.get(next.oid);
          if (!link?.found) return 'not-a-file';
          // Relative to the link's own folder; posix.join normalises `..` and `.`.
          const joined = posix.join(...segments.slice(0, i), link.text);
          if (link.text.startsWith('/') || joined === '..' || joined.startsWith('../')) return 'not-a-file';
          segments = [...joined.split('/').filter((s) => s !== '' && s !== '.'), ...segments.slice(i + 1)];
          if (segments.length === 0) return { type: 'tree', oid: root };
          followed = true;
          break;
        }
        entry = next;
      }
      if (!followed) return entry;
    }
  }

  private keep<K, V>(map: Map<K, V>, key: K, value: V): void {
    remember(map, key, value, this.cacheLimit);
  }



  async readCommits(info: RepositoryInfo, shas: readonly string[]): Promise<CommitInfo[]> {
    const [owner, name] = this.split(info);
    for (const sha of shas) checkSha(sha, info);
    const known = await this.knownCommits(info, owner, name, shas.map((sha) => sha.toLowerCase()));
    return known.map(({ info: commit }) => ({ ...commit, parents: [...commit.parents] }));
  }

  /**
   * An annotated tag through the REST API with the caller's token (research/git-hosts.md §4.3):
   * `POST git/tags` (the tag object: message, commit, tagger when given, else the token's user)
   * then `POST git/refs` (`refs/tags/<name>`). An existing ref is checked first, so a refused
   * name leaves no dangling tag object; one created meanwhile (422) is a `ConflictError` too.
   * 401/403/404 are the token's lack of rights (`ForbiddenError`): GitHub hides what a token
   * may not see behind 404.
   */
  async writeTag(info: RepositoryInfo, tag: TagToCreate, author: TagAuthor): Promise<void> {
    const [owner, repo] = this.split(info);
    checkSha(tag.commit, info);
    if (!author.token) {
      throw new UnauthenticatedError(
        `This mutation writes a tag on ${this.host} with your own token: send X-Modelgate-Token-${this.name} with a token that may create tags in ${info.path}.`,
      );
    }
    if (!this.writeClient) throw new UpstreamError(`The ${this.name} source was set up without a client for writing tags, so this gateway cannot write to ${info.ref}.`, this.name);
    const octokit = this.writeClient(author.token);
    const ref = `tags/${tag.name}`;
    let step = 'checking the tag';
    try {
      const existing = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref }).then(
        () => true,
        (error: unknown) => {
          if (statusOf(error) === 404) return false;
          throw error;
        },
      );
      if (existing) throw new ConflictError(`${info.ref}: tag ${tag.name} exists already; tags are never moved. Refresh the repository and try again.`);
      step = 'creating the tag object';
      const created = await octokit.rest.git.createTag({
        owner,
        repo,
        tag: tag.name,
        message: tag.message,
        object: tag.commit.toLowerCase(),
        type: 'commit',
        ...(author.tagger ? { tagger: author.tagger } : {}),
      });
      step = 'creating the tag ref';
      await octokit.rest.git.createRef({ owner, repo, ref: `refs/${ref}`, sha: created.data.sha });
    } catch (error) {
      if (error instanceof ConflictError) throw error;
      const status = statusOf(error);
      if (status === 401 || status === 403 || status === 404) {
        throw new ForbiddenError(
          `Your token may not create tags in ${info.path} on ${this.host} (GitHub answered ${status} while ${step}): it needs Contents: write (fine-grained token) or the repo scope (classic token).`,
          { cause: error },
        );
      }
      if (status === 422 && step === 'creating the tag object') throw new InputError(`${info.ref}: ${tag.commit} is not a commit of the repository (GitHub: ${messageOf(error)}).`, { cause: error });
      if (status === 422 || status === 409) throw new ConflictError(`${info.ref}: GitHub refused the tag ${tag.name} (${messageOf(error)}); it may exist already. Refresh the repository and try again.`, { cause: error });
      throw this.upstream(`${info.ref}: ${step} ${tag.name}`, error, info);
    }
  }

  /** Nothing to release: HTTP connections belong to the client. Idempotent. */
  async close(): Promise<void> {}

  private describe(fullName: string, url: string): RepositoryInfo {
    return { ref: `${this.name}:${fullName}`, source: this.name, kind: 'github', path: fullName, host: this.host, fullName, url };
  }

  private split(info: RepositoryInfo): [string, string] {
    if (info.source !== this.name) {
      throw new InputError(`Repository ${info.ref} belongs to source "${info.source}", not to the GitHub source "${this.name}".`);
    }
    return splitName(info.path);
  }

  /** The commits (metadata and root tree), each never seen asked once; an unknown SHA is an `UpstreamError`. */
  private async knownCommits(info: RepositoryInfo, owner: string, name: string, shas: readonly string[]): Promise<KnownCommit[]> {
    // What this call learns, answered from here: the shared cache may forget entries while it runs.
    const found = new Map<string, KnownCommit>();
    const unseen = new Set([...new Set(shas)].filter((sha) => !this.commits.has(`${info.path}\0${sha}`)));
    // Cached per repository, as in memory: a SHA some other repository holds must still be unknown here.
    const idOf = (sha: string) => `${info.path.toLowerCase()}@${sha}`;
    const stored = await this.objects.lookup('commit', [...unseen].map(idOf), asKnownCommit);
    for (const sha of unseen) {
      const known = stored.get(idOf(sha));
      if (!known) continue;
      this.keep(this.commits, `${info.path}\0${sha}`, known);
      found.set(sha, known);
      unseen.delete(sha);
    }
    const fetched: ObjectEntry[] = [];
    try {
      await Promise.all(
        [...unseen].map(async (sha) => {
          const answer = (await this.ask(info, {
            owner,
            name,
            weight: 2,
            field: (alias, v) => `${alias}: object(oid: ${v('GitObjectID!', sha)}) { ${COMMIT_FIELDS} }`,
          })) as CommitAnswer | null;
          if (answer?.__typename !== 'Commit' || !answer.oid || !answer.tree) throw this.unknownCommit(info, sha);
          if (!Array.isArray(answer.tree.entries)) throw new UpstreamError(`${info.ref}: GitHub returned commit ${sha} without the entries of its tree; nothing of it was kept. Try again later.`, this.name);
          const known: KnownCommit = {
            tree: answer.tree.oid,
            info: {
              sha: answer.oid,
              author: signatureOf(answer.author),
              committer: signatureOf(answer.committer),
              message: answer.message ?? '',
              parents: (answer.parents?.nodes ?? []).flatMap((node) => (node ? [node.oid] : [])),
            },
          };
          // The root tree came with the commit: keep it too (unless known already), or a restarted source would ask for it alone.
          const newTree = !this.trees.has(answer.tree.oid);
          const tree = this.cacheTree(answer.tree.oid, answer.tree.entries);
          this.keep(this.commits, `${info.path}\0${sha}`, known);
          found.set(sha, known);
          fetched.push(['commit', idOf(sha), known]);
          if (newTree) fetched.push(['tree', answer.tree.oid, storedTree(tree)]);
        }),
      );
    } finally {
      await this.objects.store(fetched);
    }
    return shas.map((sha) => {
      const commit = found.get(sha) ?? this.commits.get(`${info.path}\0${sha}`);
      if (!commit) throw this.unknownCommit(info, sha);
      return commit;
    });
  }

  /**
   * Every tree below the roots, in a view of this call's own: the shared cache may forget trees
   * while the call runs, the view does not. Each round asks for the trees not seen yet, all in
   * one batch (the object cache first); a round wanting more than `maxGraphqlTreesPerRound`
   * uses REST's recursive listing of one root instead (one call for a whole large tree),
   * unless GitHub truncates it.
   */
  private async treesOf(info: RepositoryInfo, owner: string, name: string, roots: readonly string[]): Promise<TreeView> {
    const view: TreeView = new Map();
    let frontier = [...roots];
    let restTried = false;
    /** Trees already looked for in the object cache by this call: a miss there is not asked twice. */
    const lookedUp = new Set<string>();
    while (frontier.length > 0) {
      // STEP 1: walk what is known from the frontier down; what is not known is missing.
      const missing = new Set<string>();
      const incomplete = new Set<string>();
      for (const start of frontier) {
        const stack = [start];
        while (stack.length > 0) {
          const oid = stack.pop() as string;
          if (view.has(oid)) continue;
          const entries = this.trees.get(oid);
          if (!entries) {
            missing.add(oid);
            incomplete.add(start);
            continue;
          }
          view.set(oid, entries);
          for (const entry of entries.values()) if (entry.type === 'tree' && !view.has(entry.oid)) stack.push(entry.oid);
        }
      }
      if (missing.size === 0) break;
      // STEP 2: the object cache, then REST for a large first look, then GraphQL; what is read joins the view and is walked next round.
      const unasked = [...missing].filter((oid) => !lookedUp.has(oid));
      if (unasked.length > 0) {
        for (const oid of unasked) lookedUp.add(oid);
        const stored = await this.objects.lookup('tree', unasked, asStoredTree);
        for (const [oid, entries] of stored) this.putTree(oid, entries);
        if (stored.size > 0) {
          frontier = [...missing];
          continue;
        }
      }
      if (missing.size > this.maxGraphqlTreesPerRound && !restTried) {
        restTried = true;
        const listed = await this.treeByRest(info, owner, name, [...incomplete][0] as string);
        if (listed) {
          for (const [oid, entries] of listed) if (!view.has(oid)) view.set(oid, entries);
          frontier = [...missing];
          continue;
        }
      }
      const fetched: ObjectEntry[] = [];
      try {
        await Promise.all(
          [...missing].map(async (oid) => {
            const answer = (await this.ask(info, {
              owner,
              name,
              weight: 2,
              field: (alias, v) => `${alias}: object(oid: ${v('GitObjectID!', oid)}) { __typename ... on Tree { oid ${ENTRY_FIELDS} } }`,
            })) as { __typename: string; entries?: EntryAnswer[] | null } | null;
            if (answer?.__typename !== 'Tree' || !Array.isArray(answer.entries)) throw new UpstreamError(`${info.ref}: GitHub did not return tree ${oid} (with its entries), which a commit of the repository names; nothing of it was kept.`, this.name);
            const entries = this.cacheTree(oid, answer.entries);
            view.set(oid, entries);
            fetched.push(['tree', oid, storedTree(entries)]);
          }),
        );
      } finally {
        await this.objects.store(fetched);
      }
      // The fetched trees are in the view; their subtrees are walked next round.
      frontier = [...missing].flatMap((oid) => [...(view.get(oid)?.values() ?? [])].filter((e) => e.type === 'tree').map((e) => e.oid));
    }
    return view;
  }

  /** One REST recursive listing of every tree below `root` (cached too); undefined when GitHub truncated it. */
  private async treeByRest(info: RepositoryInfo, owner: string, repo: string, root: string): Promise<TreeView | undefined> {
    let data: { sha: string; truncated: boolean; tree: { path?: string; mode?: string; type?: string; sha?: string; size?: number }[] };
    try {
      data = (await this.octokit.rest.git.getTree({ owner, repo, tree_sha: root, recursive: '1' })).data;
    } catch (error) {
      throw this.upstream(`${info.ref}: listing the files of tree ${root}`, error, info);
    }
    if (typeof data !== 'object' || data === null || !Array.isArray(data.tree)) throw this.malformed(info, `the listing of tree ${root}`);
    if (data.truncated) {
      this.log?.info(`${info.ref}: the tree ${root} is too large for one listing; reading it level by level.`);
      return undefined;
    }
    const dirs = new Map<string, Map<string, TreeEntry>>([['', new Map()]]);
    const shaOfDir = new Map<string, string>([['', root]]);
    for (const item of data.tree) {
      if (!item.path || !item.sha || (item.type !== 'blob' && item.type !== 'tree' && item.type !== 'commit')) continue;
      const slash = item.path.lastIndexOf('/');
      const parent = slash < 0 ? '' : item.path.slice(0, slash);
      let entries = dirs.get(parent);
      if (!entries) dirs.set(parent, (entries = new Map()));
      const type = item.type === 'blob' && item.mode === '120000' ? 'link' : item.type;
      entries.set(item.path.slice(slash + 1), { type, oid: item.sha, ...(item.type === 'blob' ? { size: item.size ?? 0 } : {}) });
      if (item.type === 'tree') {
        shaOfDir.set(item.path, item.sha);
        if (!dirs.has(item.path)) dirs.set(item.path, new Map());
      }
    }
    const fetched: ObjectEntry[] = [];
    const listed: TreeView = new Map();
    for (const [dir, entries] of dirs) {
      const sha = shaOfDir.get(dir);
      if (!sha) continue;
      listed.set(sha, entries);
      if (this.trees.has(sha)) continue;
      this.putTree(sha, entries);
      fetched.push(['tree', sha, storedTree(entries)]);
    }
    await this.objects.store(fetched);
    return listed;
  }

  /** Caches a tree GitHub answered; returns its entries (those cached before, if it was). */
  private cacheTree(oid: string, entries: readonly EntryAnswer[]): Map<string, TreeEntry> {
    const known = this.trees.get(oid);
    if (known) return known;
    const map = new Map<string, TreeEntry>();
    for (const entry of entries) {
      if (entry.type !== 'blob' && entry.type !== 'tree' && entry.type !== 'commit') continue;
      const type = entry.type === 'blob' && entry.mode === SYMLINK_MODE ? 'link' : entry.type;
      map.set(entry.name, { type, oid: entry.oid, ...(entry.type === 'blob' ? { size: entry.size ?? 0 } : {}) });
    }
    this.putTree(oid, map);
    return map;
  }

  private putTree(oid: string, entries: Map<string, TreeEntry>): void {
    if (this.trees.has(oid)) return;
    // The oldest trees go; a call holds the trees it walks in its own view.
    if (this.trees.size >= this.cacheLimit) evictOldest(this.trees, this.cacheLimit);
    this.trees.set(oid, entries);
  }



  /**
   * A tag object's tagger, message and commit, following chains deeper than the query peeled.
   * Cached by SHA; one that took requests to learn is added to `fetched` for the object cache.
   */
  private async tagObject(info: RepositoryInfo, owner: string, name: string, tag: TagTarget, fetched: ObjectEntry[]): Promise<KnownTag> {
    const cached = this.tags.get(tag.oid);
    if (cached) return cached;
    let current: TagTarget | undefined = tag.target;
    let commit: string | undefined;
    let asked = false;
    for (let depth = 0; current && depth < MAX_TAG_CHAIN; depth += 1) {
      if (current.__typename === 'Commit') {
        commit = current.oid;
        break;
      }
      if (current.__typename !== 'Tag') break;
      if (current.target) {
        current = current.target;
        continue;
      }
      const oid = current.oid;
      asked = true;
      current =
        ((await this.ask(info, { owner, name, field: (alias, v) => `${alias}: object(oid: ${v('GitObjectID!', oid)}) { ${peel(PEEL_DEPTH)} }` })) as TagTarget | null) ?? undefined;
    }
    const known: KnownTag = { tagger: tag.tagger ?? null, message: tag.message ?? '', ...(commit ? { commit } : {}) };
    this.keep(this.tags, tag.oid, known);
    if (asked) fetched.push(['tag', tag.oid, known]);
    return known;
  }

  /** One batched piece for a repository; batch failures become `UpstreamError`s naming it. */
  private async ask(info: RepositoryInfo, piece: BatchPiece): Promise<unknown> {
    try {
      return await this.batcher.request(piece);
    } catch (error) {
      if (error instanceof BatchError && error.kind === 'not-found') throw this.notFound(info);
      const cause = error instanceof BatchError && error.cause !== undefined ? error.cause : error;
      throw this.upstream(`${info.ref}: GitHub GraphQL query failed`, cause, info);
    }
  }

  /**
   * Sends one batched query. A partial answer (some repositories missing) is returned with its
   * errors; `RATE_LIMITED` (HTTP 200; the throttling plugin misses it on Enterprise paths)
   * waits for the reset, up to `maxRateLimitWaitSeconds`.
   */
  private async send(query: string, variables: Record<string, unknown>): Promise<{ data: Record<string, unknown> | null; errors: GraphqlErrorEntry[] }> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return { data: await this.octokit.graphql<Record<string, unknown>>(query, variables), errors: [] };
      } catch (error) {
        const failure = error as GraphqlFailure;
        const errors = failure.errors ?? [];
        if (errors.some((e) => e.type === 'RATE_LIMITED') && attempt < MAX_GRAPHQL_RATE_RETRIES) {
          const reset = Number(failure.headers?.['x-ratelimit-reset'] ?? 0) * 1000;
          const waitMs = Math.max(0, reset - Date.now()) + 1000;
          if (waitMs <= this.maxRateLimitWaitMs) {
            this.log?.info(`${this.name}: GitHub GraphQL rate limit; waiting ${Math.ceil(waitMs / 1000)} s for the reset.`);
            await new Promise((resolve) => setTimeout(resolve, waitMs));
            continue;
          }
        }
        if (failure.name === 'GraphqlResponseError' && !errors.some((e) => e.type === 'RATE_LIMITED')) return { data: failure.data ?? null, errors };
        throw error;
      }
    }
  }

  /** A GraphQL blob as the local source would answer it; REST `git/blobs` when GraphQL's text is not the exact bytes. */
  private async fileContent(info: RepositoryInfo, owner: string, repo: string, oid: string, answer: BlobAnswer | null): Promise<FileContent> {
    // The tree names this blob: no blob back is GitHub's failure, never a missing file to remember by SHA.
    if (answer?.__typename !== 'Blob' || !answer.oid) throw new UpstreamError(`${info.ref}: GitHub did not return blob ${oid}, which a tree of the repository names; nothing of it was kept. Try again later.`, this.name);
    const size = answer.byteSize ?? 0;
    if (size > this.maxFileBytes) return { found: false, reason: 'too-large', size };
    const text = answer.text;
    if (typeof text === 'string' && !answer.isTruncated && !answer.isBinary && !text.includes('\uFFFD')) {
      const bytes = Buffer.from(text, 'utf8');
      if (bytes.byteLength === size) return decodeText(bytes, size);
    }
    // Over 512,000 bytes, binary, or not UTF-8: GraphQL's text is not the file, so read the bytes.
    try {
      const blob = await this.octokit.rest.git.getBlob({ owner, repo, file_sha: answer.oid });
      if (typeof blob.data !== 'object' || blob.data === null || typeof blob.data.content !== 'string') throw this.malformed(info, `blob ${answer.oid}`);
      const bytes = Buffer.from(blob.data.content, blob.data.encoding === 'base64' ? 'base64' : 'utf8');
      return decodeText(bytes, blob.data.size ?? bytes.byteLength);
    } catch (error) {
      throw this.upstream(`${info.ref}: reading blob ${answer.oid}`, error, info);
    }
  }

  /** Whether a conditional request answers 304 for the ETag; a 200's new ETag is returned. */
  private async notModified(
    info: RepositoryInfo,
    route: string,
    params: Record<string, unknown> & { headers?: Record<string, string> },
    etag: string,
  ): Promise<{ unchanged: boolean; etag?: string }> {
    try {
      const response = await this.octokit.request(route, { ...params, headers: { ...params.headers, 'if-none-match': etag } });
      return { unchanged: false, ...(response.headers.etag ? { etag: response.headers.etag } : {}) };
    } catch (error) {
      if (statusOf(error) === 304) return { unchanged: true };
      if (statusOf(error) === 404) throw this.notFound(info);
      // 409 (emptied), 422 (branch gone): not unchanged; the GraphQL query finds out.
      if (statusOf(error) === 409 || statusOf(error) === 422) return { unchanged: false };
      throw this.upstream(`${info.ref}: checking whether the refs changed`, error, info);
    }
  }

  /** A conditional GET: 304 answers the stored body (free on GitHub); 200 stores the new ETag. */
  private async conditionalGet(route: string, params: Record<string, unknown>): Promise<{ data: unknown; link?: string }> {
    const key = `${route} ${JSON.stringify(params)}`;
    const stored = this.validated.get(key);
    try {
      const response = await this.octokit.request(route, { ...params, headers: stored ? { 'if-none-match': stored.etag } : {} });
      const link = response.headers.link;
      if (response.headers.etag) this.keep(this.validated, key, { etag: response.headers.etag, data: response.data, ...(link ? { link } : {}) });
      return { data: response.data, ...(link ? { link } : {}) };
    } catch (error) {
      if (statusOf(error) === 304 && stored) return { data: stored.data, ...(stored.link ? { link: stored.link } : {}) };
      throw error;
    }
  }

  /** Every page of a listing, each page a conditional GET (GitHub's `Link` header decides whether there is a next one). */
  private async pages<T>(route: string, params: Record<string, unknown>): Promise<T[]> {
    const all: T[] = [];
    for (let page = 1; ; page += 1) {
      const answer: { data: unknown; link?: string } = await this.conditionalGet(route, { ...params, per_page: this.perPage, page });
      const { data, link } = answer;
      // A listing that is not a list must not read as "no repositories": that would forget them all.
      if (!Array.isArray(data)) throw this.malformed(undefined, `page ${page} of ${route.replace(/^GET /, '')}`);
      const items = data as T[];
      all.push(...items);
      if (!link || !/rel="next"/.test(link) || items.length === 0) return all;
    }
  }

  /** A 200 whose body is not what the endpoint returns (cut short, or not JSON). */
  private malformed(info: RepositoryInfo | undefined, what: string): UpstreamError {
    return new UpstreamError(
      `${info ? `${info.ref}: ` : ''}GitHub's answer for ${what} was not the JSON that endpoint returns (cut short or garbled in transit?); nothing of it was kept. Indexing tries again on the next pass.`,
      this.name,
    );
  }

  private notFound(info: RepositoryInfo): UpstreamError {
    return new UpstreamError(
      `${info.ref}: repository ${info.path} was not found on ${this.host}, or the token cannot read it (GitHub answers the same for both). Check the name in the configuration and the token's access.`,
      this.name,
      404,
    );
  }

  private upstream(what: string, error: unknown, info?: RepositoryInfo): UpstreamError {
    if (error instanceof UpstreamError) return error;
    const status = statusOf(error);
    if (status === 404 && info) return this.notFound(info);
    const hint =
      status === 401
        ? ' The token was refused: check the source\'s token.'
        : status === 403 || status === 429
          ? ' GitHub refused it (rate limit beyond the wait limit, SSO, or a missing permission).'
          : '';
    return new UpstreamError(`${what}: ${messageOf(error)}${status ? ` (HTTP ${status})` : ''}.${hint}`, this.name, status, { cause: error });
  }

  private unknownCommit(info: RepositoryInfo, sha: string): UpstreamError {
    return new UpstreamError(
      `${info.ref}: commit ${sha} does not exist in the repository (rewritten history, or a SHA from another repository?)`,
      this.name,
    );
  }
}

/** `github.com` for the public API; otherwise the API's own host (GitHub Enterprise serves both on one host). */
function webHost(baseUrl: string): string {
  try {
    const host = new URL(baseUrl).host;
    return host === 'api.github.com' ? 'github.com' : host;
  } catch {
    return baseUrl;
  }
}

function splitName(full: string): [string, string] {
  const slash = full.indexOf('/');
  if (slash <= 0 || slash === full.length - 1 || full.indexOf('/', slash + 1) >= 0) {
    throw new InputError(`Expected a GitHub repository as owner/name, got ${JSON.stringify(full)}.`);
  }
  return [full.slice(0, slash), full.slice(slash + 1)];
}

function cloneRefs(refs: RepositoryRefs): RepositoryRefs {
  return { ...refs, tags: refs.tags.map((tag): RawTag => ({ ...tag, ...(tag.annotation ? { annotation: { ...tag.annotation, tagger: { ...tag.annotation.tagger } } } : {}) })) };
}

/** The trees one call works with, by SHA: taken from the shared cache or read by the call. */
type TreeView = Map<string, Map<string, TreeEntry>>;

/** File paths (blobs and links) below a tree of the view, sorted as Git lists them. */
function flatten(root: string, view: TreeView): string[] {
  const out: string[] = [];
  const walk = (oid: string, prefix: string) => {
    for (const [name, entry] of view.get(oid) ?? []) {
      if (entry.type === 'blob' || entry.type === 'link') out.push(`${prefix}${name}`);
      else if (entry.type === 'tree') walk(entry.oid, `${prefix}${name}/`);
    }
  };
  walk(root, '');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Forgets the oldest tenth of a full cache (Maps keep insertion order): what a call just read stays. */
function evictOldest<K, V>(map: Map<K, V>, limit: number): void {
  let drop = Math.ceil(limit / 10);
  for (const key of map.keys()) {
    if (drop-- <= 0) break;
    map.delete(key);
  }
}

/** Caches of immutable things, bounded: the oldest tenth is forgotten when full (a miss only costs a request). */
function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  if (!map.has(key) && map.size >= limit) evictOldest(map, limit);
  map.set(key, value);
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** Whether peeling the tag needs `object(oid:)` requests: its chain is deeper than the refs query nested. */
function needsChain(tag: TagTarget): boolean {
  let current = tag.target;
  for (let depth = 0; current && depth < MAX_TAG_CHAIN; depth += 1) {
    if (current.__typename !== 'Tag') return false;
    if (!current.target) return true;
    current = current.target;
  }
  return false;
}

/** A tree as the object cache holds it: `[name, type, oid, size]` per entry (size for blobs only), in Git's order. */
type StoredTreeEntry = [name: string, type: TreeEntry['type'], oid: string, size?: number];

function storedTree(entries: ReadonlyMap<string, TreeEntry>): StoredTreeEntry[] {
  return [...entries].map(([name, entry]) => (entry.type === 'blob' || entry.type === 'link' ? [name, entry.type, entry.oid, entry.size ?? 0] : [name, entry.type, entry.oid]));
}

function asStoredTree(value: unknown): Map<string, TreeEntry> | undefined {
  if (!Array.isArray(value)) return undefined;
  const entries = new Map<string, TreeEntry>();
  for (const item of value) {
    if (!Array.isArray(item)) return undefined;
    const [name, type, oid, size] = item as unknown[];
    if (typeof name !== 'string' || typeof oid !== 'string') return undefined;
    if (type === 'blob' || type === 'link') {
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
      entries.set(name, { type, oid, size });
    } else if (type === 'tree' || type === 'commit') {
      entries.set(name, { type, oid });
    } else {
      return undefined;
    }
  }
  return entries;
}

function asKnownCommit(value: unknown): KnownCommit | undefined {
  if (!isRecord(value) || typeof value.tree !== 'string') return undefined;
  const info = asCommitInfo(value.info);
  return info ? { info, tree: value.tree } : undefined;
}

function isActor(value: unknown): value is GitActor {
  const field = (v: unknown) => v === null || typeof v === 'string';
  return isRecord(value) && field(value.name) && field(value.email) && field(value.date);
}

function asKnownTag(value: unknown): KnownTag | undefined {
  if (!isRecord(value) || typeof value.message !== 'string' || !(value.tagger === null || isActor(value.tagger))) return undefined;
  if (value.commit !== undefined && typeof value.commit !== 'string') return undefined;
  return { tagger: value.tagger, message: value.message, ...(value.commit !== undefined ? { commit: value.commit } : {}) };
}



