import type { Octokit } from '@octokit/rest';
import { InputError, UpstreamError, messageOf } from '../../errors.js';
import type { Logger } from '../../log.js';
import { decodeText } from '../decodeText.js';
import type { CommitInfo, FileContent, FileRequest, GitSource, RawTag, RepositoryInfo, RepositoryRefs } from '../types.js';
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
  /** Files or commits per GraphQL query. Default 50. */
  objectsPerQuery?: number;
  /** Longest wait for a GraphQL `RATE_LIMITED` reset before failing. Default 900 s. */
  maxRateLimitWaitSeconds?: number;
  log?: Logger;
}

/** What `readRefs` last saw, and the validators that tell whether it still holds. */
interface CachedRefs {
  refs: RepositoryRefs;
  /** ETag of `GET /repos/{o}/{r}/git/matching-refs/tags/`. */
  tagsEtag: string;
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

interface CommitAnswer {
  __typename: string;
  oid?: string;
  message?: string;
  author?: GitActor | null;
  committer?: GitActor | null;
  parents?: { nodes: ({ oid: string } | null)[] | null };
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
  repository: {
    defaultBranchRef: { name: string; target: { oid: string } | null } | null;
    refs: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ({ name: string; target: TagTarget | null } | null)[] | null } | null;
  } | null;
}

interface GraphqlFailure {
  name?: string;
  errors?: { type?: string; message?: string; path?: (string | number)[] }[];
  data?: unknown;
  headers?: Record<string, string | undefined>;
}

const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
const CACHE_LIMIT = 50_000;
/** Tag objects nested in one refs query; deeper chains are followed with `object(oid:)`. */
const PEEL_DEPTH = 4;
const MAX_TAG_CHAIN = 16;
const MAX_GRAPHQL_RATE_RETRIES = 5;

/** `target { __typename oid ... on Tag { target { … } } }`, `depth` Tag levels deep. */
function peel(depth: number): string {
  return depth === 0 ? '__typename oid' : `__typename oid ... on Tag { target { ${peel(depth - 1)} } }`;
}

const REFS_QUERY = `query ModelgateRefs($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    defaultBranchRef { name target { oid } }
    refs(refPrefix: "refs/tags/", first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { name target { __typename oid ... on Tag { message tagger { name email date } target { ${peel(PEEL_DEPTH)} } } } }
    }
  }
}`;

const BLOB_FIELDS = '__typename ... on Blob { oid byteSize isBinary isTruncated text }';
const COMMIT_FIELDS =
  '__typename ... on Commit { oid message author { name email date } committer { name email date } parents(first: 100) { nodes { oid } } }';

/**
 * The `github` source: repositories on github.com or GitHub Enterprise Server, read through
 * REST and GraphQL v4 with the real Octokit.
 *
 * Calls per repository (measured in `test/sources/githubSource.test.ts`):
 * - listing: `GET /repos/{o}/{r}` per configured repository, one `GET /orgs/{org}/repos` page
 *   (100 repositories) per org; all ETag'd, so an unchanged listing is free 304s;
 * - `readRefs`, cold: `GET …/git/matching-refs/tags/` (for its ETag) + one GraphQL query per
 *   100 tags = 2 calls; unchanged: that REST call and `GET …/commits/{branch}` (`vnd.github.sha`,
 *   `If-None-Match: "<head>"`), both 304 (free on GitHub), and no GraphQL;
 * - `listFiles`: one `GET …/git/trees/{commit}?recursive=1` per commit never seen;
 * - `readFiles`, `readCommits`: one GraphQL query per 50 objects never seen (commits of files
 *   are checked in the same query), plus `GET …/git/blobs/{sha}` for a file GraphQL cannot give
 *   exactly (over 512,000 bytes, binary, not UTF-8).
 *
 * Trees, files, blobs and commits are cached by SHA for the source's life (immutable); refs are
 * revalidated on every `readRefs`. Failures are `UpstreamError`s naming the repository ref.
 */
export class GitHubSource implements GitSource {
  readonly kind = 'github' as const;
  readonly name: string;
  /** Host shown to users: `github.com`, or the Enterprise server's. */
  readonly host: string;
  readonly maxFileBytes: number;
  private readonly octokit: Octokit;
  private readonly repos: readonly string[];
  private readonly orgs: readonly string[];
  private readonly perPage: number;
  private readonly objectsPerQuery: number;
  private readonly maxRateLimitWaitMs: number;
  private readonly log: Logger | undefined;
  private calls = 0;
  private readonly validated = new Map<string, Validated>();
  private readonly refsCache = new Map<string, CachedRefs>();
  private readonly treeCache = new Map<string, string[]>();
  private readonly fileCache = new Map<string, FileContent>();
  private readonly blobCache = new Map<string, FileContent>();
  private readonly commitCache = new Map<string, CommitInfo>();
  private readonly knownCommits = new Set<string>();

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
    this.repos = options.repos ?? [];
    this.orgs = options.orgs ?? [];
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.perPage = options.perPage ?? 100;
    this.objectsPerQuery = options.objectsPerQuery ?? 50;
    this.maxRateLimitWaitMs = (options.maxRateLimitWaitSeconds ?? 900) * 1000;
    this.log = options.log;
  }

  /** Creates the source; nothing is requested until the first call. */
  static create(options: GitHubSourceOptions): GitHubSource {
    return new GitHubSource(options);
  }

  /** HTTP requests sent so far (304s, retries with a factory client, failures included). */
  get apiCalls(): number {
    return this.calls;
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
        const data = (await this.conditionalGet('GET /repos/{owner}/{repo}', { owner, repo })).data as { full_name: string; html_url: string };
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
   * Default branch, head and tags. When refs were read before, two conditional REST calls
   * decide whether they still hold (tags ETag, head SHA as ETag); both 304 → the cached refs,
   * without GraphQL. Otherwise one GraphQL query per 100 tags.
   */
  async readRefs(info: RepositoryInfo): Promise<RepositoryRefs> {
    const [owner, repo] = this.split(info);
    const cached = this.refsCache.get(info.path);
    if (cached?.refs.defaultBranch !== undefined && cached.refs.headCommit !== undefined) {
      const [tagsUnchanged, headUnchanged] = await Promise.all([
        this.notModified(info, 'GET /repos/{owner}/{repo}/git/matching-refs/{ref}', { owner, repo, ref: 'tags/' }, cached.tagsEtag),
        this.notModified(
          info,
          'GET /repos/{owner}/{repo}/commits/{ref}',
          { owner, repo, ref: cached.refs.defaultBranch, headers: { accept: 'application/vnd.github.sha' } },
          `"${cached.refs.headCommit}"`,
        ),
      ]);
      if (tagsUnchanged.unchanged && headUnchanged.unchanged) return cloneRefs(cached.refs);
      return this.queryRefs(info, owner, repo, tagsUnchanged.etag ?? cached.tagsEtag);
    }
    // STEP 1: the tags' ETag first, so a tag pushed while GraphQL runs makes the next check fail, never hides.
    let tagsEtag: string | undefined;
    try {
      const response = await this.octokit.request('GET /repos/{owner}/{repo}/git/matching-refs/{ref}', { owner, repo, ref: 'tags/' });
      tagsEtag = response.headers.etag;
    } catch (error) {
      // 409: an empty repository has no refs; GraphQL says so below.
      if (statusOf(error) !== 409) throw this.upstream(`${info.ref}: reading tags`, error, info);
    }
    // STEP 2: everything else in one GraphQL query per 100 tags.
    return this.queryRefs(info, owner, repo, tagsEtag);
  }

  async listFiles(info: RepositoryInfo, commits: readonly string[]): Promise<string[][]> {
    const [owner, repo] = this.split(info);
    for (const commit of commits) checkSha(commit, info);
    return Promise.all(
      commits.map(async (given) => {
        const commit = given.toLowerCase();
        const known = this.treeCache.get(`${info.path}\0${commit}`);
        if (known) return [...known];
        let files: string[];
        try {
          files = await this.walkTree(owner, repo, commit, '');
        } catch (error) {
          if (statusOf(error) === 404 || statusOf(error) === 422 || statusOf(error) === 409) throw this.unknownCommit(info, commit);
          throw this.upstream(`${info.ref}: listing the files of ${commit}`, error, info);
        }
        remember(this.treeCache, `${info.path}\0${commit}`, files);
        this.knownCommits.add(`${info.path}\0${commit}`);
        return [...files];
      }),
    );
  }

  async readFiles(info: RepositoryInfo, files: readonly FileRequest[]): Promise<FileContent[]> {
    const [owner, repo] = this.split(info);
    for (const file of files) checkSha(file.commit, info);
    const key = (file: FileRequest) => `${info.path}\0${file.commit.toLowerCase()}\0${file.path}`;
    // Unknown commits are checked in the same queries, so a missing commit is never mistaken for a missing path.
    const unverified = [...new Set(files.map((file) => file.commit.toLowerCase()))].filter((commit) => !this.knownCommits.has(`${info.path}\0${commit}`));
    const wanted = new Map<string, FileRequest>();
    for (const file of files) {
      if (isAskablePath(file.path) && !this.fileCache.has(key(file))) wanted.set(key(file), { commit: file.commit.toLowerCase(), path: file.path });
    }
    const items: ({ kind: 'commit'; commit: string } | { kind: 'file'; key: string; file: FileRequest })[] = [
      ...unverified.map((commit) => ({ kind: 'commit' as const, commit })),
      ...[...wanted].map(([k, file]) => ({ kind: 'file' as const, key: k, file })),
    ];
    const answers = new Map<string, FileContent>();
    for (const chunk of chunks(items, this.objectsPerQuery)) {
      const variables: Record<string, string> = {};
      const declarations: string[] = [];
      const fields: string[] = [];
      chunk.forEach((item, index) => {
        if (item.kind === 'commit') {
          variables[`o${index}`] = item.commit;
          declarations.push(`$o${index}: GitObjectID!`);
          fields.push(`o${index}: object(oid: $o${index}) { __typename }`);
        } else {
          variables[`o${index}`] = `${item.file.commit}:${item.file.path}`;
          declarations.push(`$o${index}: String!`);
          fields.push(`o${index}: object(expression: $o${index}) { ${BLOB_FIELDS} }`);
        }
      });
      const query = `query ModelgateFiles($owner: String!, $name: String!, ${declarations.join(', ')}) {
  repository(owner: $owner, name: $name) { ${fields.join('\n    ')} }
}`;
      const data = await this.graphql<{ repository: Record<string, BlobAnswer | null> | null }>(info, query, { owner, name: repo, ...variables });
      const repository = data.repository;
      if (!repository) throw this.notFound(info);
      for (const [index, item] of chunk.entries()) {
        const answer = repository[`o${index}`] ?? null;
        if (item.kind === 'commit') {
          if (answer?.__typename !== 'Commit') throw this.unknownCommit(info, item.commit);
          this.knownCommits.add(`${info.path}\0${item.commit}`);
        } else {
          answers.set(item.key, await this.fileContent(info, owner, repo, answer));
        }
      }
    }
    for (const [k, content] of answers) remember(this.fileCache, k, content);
    return files.map((file): FileContent => {
      if (!isAskablePath(file.path)) return { found: false, reason: 'missing' };
      return answers.get(key(file)) ?? this.fileCache.get(key(file)) ?? { found: false, reason: 'missing' };
    });
  }

  async readCommits(info: RepositoryInfo, shas: readonly string[]): Promise<CommitInfo[]> {
    const [owner, repo] = this.split(info);
    for (const sha of shas) checkSha(sha, info);
    const key = (sha: string) => `${info.path}\0${sha.toLowerCase()}`;
    const wanted = [...new Set(shas.map((sha) => sha.toLowerCase()))].filter((sha) => !this.commitCache.has(key(sha)));
    const read = new Map<string, CommitInfo>();
    for (const chunk of chunks(wanted, this.objectsPerQuery)) {
      const variables = Object.fromEntries(chunk.map((sha, index) => [`c${index}`, sha]));
      const query = `query ModelgateCommits($owner: String!, $name: String!, ${chunk.map((_, index) => `$c${index}: GitObjectID!`).join(', ')}) {
  repository(owner: $owner, name: $name) { ${chunk.map((_, index) => `c${index}: object(oid: $c${index}) { ${COMMIT_FIELDS} }`).join('\n    ')} }
}`;
      const data = await this.graphql<{ repository: Record<string, CommitAnswer | null> | null }>(info, query, { owner, name: repo, ...variables });
      if (!data.repository) throw this.notFound(info);
      for (const [index, sha] of chunk.entries()) {
        const answer = data.repository[`c${index}`];
        if (answer?.__typename !== 'Commit' || !answer.oid) throw this.unknownCommit(info, sha);
        read.set(sha, {
          sha: answer.oid,
          author: signatureOf(answer.author),
          committer: signatureOf(answer.committer),
          message: answer.message ?? '',
          parents: (answer.parents?.nodes ?? []).flatMap((node) => (node ? [node.oid] : [])),
        });
      }
    }
    for (const [sha, commit] of read) {
      remember(this.commitCache, key(sha), commit);
      this.knownCommits.add(key(sha));
    }
    return shas.map((sha) => {
      const commit = read.get(sha.toLowerCase()) ?? this.commitCache.get(key(sha));
      if (!commit) throw this.unknownCommit(info, sha.toLowerCase());
      return { ...commit, parents: [...commit.parents] };
    });
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

  /** One GraphQL query for the refs, plus one per further 100 tags and per tag chain deeper than PEEL_DEPTH. */
  private async queryRefs(info: RepositoryInfo, owner: string, repo: string, tagsEtag: string | undefined): Promise<RepositoryRefs> {
    const refs: RepositoryRefs = { tags: [] };
    const pending: { name: string; target: TagTarget }[] = [];
    let after: string | null = null;
    for (;;) {
      const page: RefsPage = await this.graphql<RefsPage>(info, REFS_QUERY, { owner, name: repo, after });
      if (!page.repository) throw this.notFound(info);
      const branch = page.repository.defaultBranchRef;
      if (branch?.target) {
        refs.defaultBranch = branch.name;
        refs.headCommit = branch.target.oid;
      }
      for (const node of page.repository.refs?.nodes ?? []) if (node?.target) pending.push({ name: node.name, target: node.target });
      const info_ = page.repository.refs?.pageInfo;
      if (!info_?.hasNextPage || !info_.endCursor) break;
      after = info_.endCursor;
    }
    for (const { name, target } of pending) {
      if (target.__typename === 'Commit') {
        refs.tags.push({ name, commit: target.oid });
        continue;
      }
      if (target.__typename !== 'Tag') continue; // a tag on a tree or blob names no commit
      const commit = await this.peelTag(info, owner, repo, target);
      if (!commit) continue;
      refs.tags.push({ name, commit, annotation: { sha: target.oid, tagger: signatureOf(target.tagger), message: target.message ?? '' } });
    }
    // for-each-ref's order (bytewise by name), as the local source gives.
    refs.tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (tagsEtag !== undefined && refs.headCommit !== undefined) this.refsCache.set(info.path, { refs: cloneRefs(refs), tagsEtag });
    else this.refsCache.delete(info.path);
    return refs;
  }

  /** The commit a tag finally points at, following chains deeper than the query's nesting. */
  private async peelTag(info: RepositoryInfo, owner: string, repo: string, tag: TagTarget): Promise<string | undefined> {
    let current: TagTarget | undefined = tag;
    for (let depth = 0; current && depth < MAX_TAG_CHAIN; depth += 1) {
      if (current.__typename === 'Commit') return current.oid;
      if (current.__typename !== 'Tag') return undefined;
      if (current.target) {
        current = current.target;
        continue;
      }
      const query = `query ModelgatePeel($owner: String!, $name: String!, $oid: GitObjectID!) {
  repository(owner: $owner, name: $name) { object(oid: $oid) { ${peel(PEEL_DEPTH)} } }
}`;
      const data: { repository: { object: TagTarget | null } | null } = await this.graphql(info, query, { owner, name: repo, oid: current.oid });
      current = data.repository?.object ?? undefined;
    }
    return undefined;
  }

  /** Lists blobs below a tree: recursively in one call, or level by level when GitHub truncates the listing. */
  private async walkTree(owner: string, repo: string, treeSha: string, prefix: string): Promise<string[]> {
    const recursive = await this.octokit.rest.git.getTree({ owner, repo, tree_sha: treeSha, recursive: '1' });
    if (!recursive.data.truncated) {
      return recursive.data.tree.flatMap((entry) => (entry.type === 'blob' && entry.path ? [`${prefix}${entry.path}`] : []));
    }
    this.log?.info(`${owner}/${repo}: the tree ${treeSha} is too large for one listing; walking it level by level.`);
    const flat = await this.octokit.rest.git.getTree({ owner, repo, tree_sha: treeSha });
    const files: string[] = [];
    for (const entry of flat.data.tree) {
      if (!entry.path) continue;
      if (entry.type === 'blob') files.push(`${prefix}${entry.path}`);
      else if (entry.type === 'tree' && entry.sha) files.push(...(await this.walkTree(owner, repo, entry.sha, `${prefix}${entry.path}/`)));
    }
    return files;
  }

  /** A GraphQL blob as the local source would answer it; REST `git/blobs` when GraphQL's text is not the exact bytes. */
  private async fileContent(info: RepositoryInfo, owner: string, repo: string, answer: BlobAnswer | null): Promise<FileContent> {
    if (!answer) return { found: false, reason: 'missing' };
    if (answer.__typename === 'Tree') return { found: false, reason: 'not-a-file' };
    if (answer.__typename !== 'Blob' || !answer.oid) return { found: false, reason: 'missing' }; // a submodule's commit is no file here
    const size = answer.byteSize ?? 0;
    if (size > this.maxFileBytes) return { found: false, reason: 'too-large', size };
    const text = answer.text;
    if (typeof text === 'string' && !answer.isTruncated && !answer.isBinary && !text.includes('\uFFFD')) {
      const bytes = Buffer.from(text, 'utf8');
      if (bytes.byteLength === size) return decodeText(bytes, size);
    }
    // Over 512,000 bytes, binary, or not UTF-8: GraphQL's text is not the file, so read the bytes.
    const known = this.blobCache.get(answer.oid);
    if (known) return known;
    let content: FileContent;
    try {
      const blob = await this.octokit.rest.git.getBlob({ owner, repo, file_sha: answer.oid });
      const bytes = Buffer.from(blob.data.content, blob.data.encoding === 'base64' ? 'base64' : 'utf8');
      content = decodeText(bytes, blob.data.size ?? bytes.byteLength);
    } catch (error) {
      throw this.upstream(`${info.ref}: reading blob ${answer.oid}`, error, info);
    }
    remember(this.blobCache, answer.oid, content);
    return content;
  }

  /**
   * `octokit.graphql`, waiting for the reset on `RATE_LIMITED` (HTTP 200; the throttling plugin
   * misses it on Enterprise paths) up to `maxRateLimitWaitSeconds`. A missing repository is an
   * `UpstreamError` naming it; other partial errors fail the call.
   */
  private async graphql<T>(info: RepositoryInfo, query: string, variables: Record<string, unknown>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.octokit.graphql<T>(query, variables);
      } catch (error) {
        const failure = error as GraphqlFailure;
        const errors = failure.errors ?? [];
        if (errors.some((e) => e.type === 'RATE_LIMITED') && attempt < MAX_GRAPHQL_RATE_RETRIES) {
          const reset = Number(failure.headers?.['x-ratelimit-reset'] ?? 0) * 1000;
          const waitMs = Math.max(0, reset - Date.now()) + 1000;
          if (waitMs <= this.maxRateLimitWaitMs) {
            this.log?.info(`${info.ref}: GitHub GraphQL rate limit; waiting ${Math.ceil(waitMs / 1000)} s for the reset.`);
            await new Promise((resolve) => setTimeout(resolve, waitMs));
            continue;
          }
        }
        if (errors.some((e) => e.type === 'NOT_FOUND' && e.path?.[0] === 'repository')) throw this.notFound(info);
        throw this.upstream(`${info.ref}: GitHub GraphQL query failed`, error, info);
      }
    }
  }

  /** A conditional GET: 304 answers the stored body (free on GitHub); 200 stores the new ETag. */
  private async conditionalGet(route: string, params: Record<string, unknown>): Promise<{ data: unknown; link?: string }> {
    const key = `${route} ${JSON.stringify(params)}`;
    const stored = this.validated.get(key);
    try {
      const response = await this.octokit.request(route, { ...params, headers: stored ? { 'if-none-match': stored.etag } : {} });
      const link = response.headers.link;
      if (response.headers.etag) remember(this.validated, key, { etag: response.headers.etag, data: response.data, ...(link ? { link } : {}) });
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
      const items = Array.isArray(data) ? (data as T[]) : [];
      all.push(...items);
      if (!link || !/rel="next"/.test(link) || items.length === 0) return all;
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

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Caches of immutable things, bounded crudely: cleared when full (a miss only costs a request). */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= CACHE_LIMIT) map.clear();
  map.set(key, value);
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}



