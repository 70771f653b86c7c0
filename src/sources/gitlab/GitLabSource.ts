import { GitbeakerRequestError, GitbeakerRetryError, GitbeakerTimeoutError } from '@gitbeaker/rest';
import { ConflictError, ForbiddenError, InputError, UnauthenticatedError, UpstreamError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { CachedObjects, hostNamespace } from '../CachedObjects.js';
import type { ObjectEntry, ObjectKind } from '../CachedObjects.js';
import { asCommitInfo, asFileContent, asStringList } from '../cachedShapes.js';
import { decodeText } from '../decodeText.js';
import { MemoryObjectCache } from '../MemoryObjectCache.js';
import type { ObjectCache } from '../ObjectCache.js';
import type {
  CommitInfo,
  FileContent,
  FileRequest,
  GitSource,
  RawTag,
  RepositoryInfo,
  RepositoryRefs,
  Signature,
  TagAuthor,
  TagToCreate,
} from '../types.js';
import { BoundedCache } from './BoundedCache.js';
import type { GitLabClient } from './createGitLabClient.js';
import { checkSha, isAskablePath } from '../requestChecks.js';

/** Options of `GitLabSource.create`. */
export interface GitLabSourceOptions {
  /** The source name: the first part of every repository ref (`gitlab:acme/ml/churn`). Default `gitlab`. */
  name?: string;
  /** Built by `createGitLabClient` (in `main.ts`); its request counter is this source's `apiCalls`. */
  client: GitLabClient;
  /**
   * A client made with a caller's own token, for `writeTag` (`createGitLabClient({ host, token })`).
   * Tags are never written with the indexing client. Without it the source cannot write tags.
   */
  writeClient?: (token: string) => GitLabClient;
  /** Projects by full path (`group/sub/project`). */
  projects?: readonly string[];
  /** Groups whose every project, subgroups included, is indexed. */
  groups?: readonly string[];
  /** Files larger than this are answered `too-large`. Default 10 MiB. */
  maxFileBytes?: number;
  /** Requests one call of this source keeps in flight. Default 8. */
  concurrency?: number;
  /**
   * Where file listings, file contents and commits (each by project and commit SHA) go once
   * read, and are looked for before asking GitLab (after the source's own memory): a
   * `RedisObjectCache` outlives restarts and is shared by workers. Default: a `MemoryObjectCache`.
   */
  objectCache?: ObjectCache;
  /** Says when the object cache fails (once until it works again); indexing goes on without it. */
  log?: Logger;
}

/** The fields of GitLab's answers this source reads (research/git-hosts.md §6.5). */
interface ProjectJson {
  id: number;
  path_with_namespace: string;
  web_url: string;
  default_branch?: string | null;
}
interface CommitJson {
  id: string;
  message: string;
  parent_ids?: string[];
  author_name: string;
  author_email: string;
  authored_date?: string;
  committer_name?: string;
  committer_email?: string;
  committed_date?: string;
  created_at?: string;
}
interface TagJson {
  name: string;
  message?: string | null;
  target: string;
  commit?: CommitJson | null;
  created_at?: string | null;
}
interface TreeEntryJson {
  type: string;
  path: string;
}

/** What the last listing knew of a project, and its last refs. */
interface ProjectState {
  info: RepositoryInfo;
  /** `null` for an empty repository. */
  defaultBranch: string | null;
  /** A configured project GitLab did not show: every read of it fails with this. */
  error?: Error;
  last?: { tags: readonly TagJson[]; branch: unknown; refs: RepositoryRefs };
}

const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Cache bounds: tree listings by number of paths, file contents by bytes, commits by count. */
const TREE_CACHE_PATHS = 2_000_000;
const FILE_CACHE_BYTES = 128 * 1024 * 1024;
const COMMIT_CACHE_ENTRIES = 100_000;

/**
 * The `gitlab` source: GitLab REST v4 (gitlab.com or self-managed) through Gitbeaker.
 *
 * Calls, per project (research/git-hosts.md §1.3, §8): the listing is one
 * `GET /groups/:id/projects?include_subgroups=true&per_page=100` page per 100 projects of each
 * group, plus one `GET /projects/:id` per configured project no group listed. `readRefs` is one
 * `GET …/repository/branches/:default` and one `GET …/repository/tags` page per 100 tags (both
 * sent with `If-None-Match` once seen; GitLab's 304s still count against its rate limit).
 * `listFiles` is one `GET …/repository/tree?recursive=true&pagination=keyset` page per 100
 * entries per commit, `readFiles` one `GET …/files/:path/raw?ref=:sha` per file, `readCommits`
 * one `GET …/repository/commits/:sha` per commit — each cached by SHA, so only refs are read again:
 * in memory first, then in the `objectCache` (one `get` per call for what memory lacks, one
 * `set` for what GitLab answered), so a restarted source sharing the cache reads only new commits.
 *
 * GitLab exposes no tagger (pitfall 10), so an annotated tag's `tagger` is built from what it
 * has: see `tagSignature`.
 */
export class GitLabSource implements GitSource {
  readonly kind = 'gitlab' as const;
  readonly name: string;
  readonly maxFileBytes: number;
  /** Host name shown on repositories (`gitlab.com`). */
  readonly host: string;
  private readonly client: GitLabClient;
  private readonly writeClient: ((token: string) => GitLabClient) | undefined;
  private readonly projects: readonly string[];
  private readonly groups: readonly string[];
  /** Requests in flight per call, and repositories the indexer should work on at once. */
  readonly concurrency: number;
  private readonly known = new Map<string, ProjectState>();
  private readonly trees = new BoundedCache<string[]>(TREE_CACHE_PATHS, (paths) => paths.length);
  private readonly files = new BoundedCache<FileContent>(FILE_CACHE_BYTES, (file) => (file.found ? file.size : 1));
  private readonly commits = new BoundedCache<CommitInfo>(COMMIT_CACHE_ENTRIES);
  /** The second level under the three caches above. */
  private readonly objects: CachedObjects;

  private constructor(options: GitLabSourceOptions) {
    this.name = options.name ?? 'gitlab';
    this.client = options.client;
    this.writeClient = options.writeClient;
    this.host = new URL(options.client.host).hostname;
    this.projects = (options.projects ?? []).map(trimPath).filter((p) => p !== '');
    this.groups = (options.groups ?? []).map(trimPath).filter((p) => p !== '');
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.objects = new CachedObjects(options.objectCache ?? new MemoryObjectCache(), hostNamespace('gitlab', new URL(options.client.host).host), options.log);
  }

  /** Creates the source; nothing is read until the first call. */
  static create(options: GitLabSourceOptions): GitLabSource {
    return new GitLabSource(options);
  }

  /** HTTP requests sent to GitLab so far (retries, 429s and 304s included). */
  get apiCalls(): number {
    return this.client.requests;
  }

  /**
   * Every project of the configured groups (subgroups included, projects merely shared with a
   * group left out) and every configured project, each once, sorted by path.
   *
   * A group GitLab will not list fails the whole listing (an UpstreamError): answering without
   * its projects would make the indexer forget them. A configured project GitLab does not show is
   * still listed, and every read of it fails with the reason, so the indexer reports it on that
   * repository alone.
   */
  async listRepositories(): Promise<RepositoryInfo[]> {
    const found = new Map<string, ProjectState>();
    for (const group of this.groups) {
      let listed: ProjectJson[];
      try {
        listed = (await this.client.api.Groups.allProjects(group, { includeSubgroups: true, withShared: false, perPage: 100 })) as unknown as ProjectJson[];
      } catch (error) {
        throw this.failure(`${this.name}: listing the projects of the group ${group}`, error, 'Check the group path under `groups` and that the token (read_api) can see the group.');
      }
      for (const project of listed) found.set(key(project.path_with_namespace), this.stateOf(project));
    }
    const unlisted = this.projects.filter((path) => !found.has(key(path)));
    const shown = await mapLimit(unlisted, this.concurrency, async (path) => {
      try {
        return this.stateOf((await this.client.api.Projects.show(path)) as unknown as ProjectJson);
      } catch (error) {
        return this.missingProject(path, error);
      }
    });
    for (const state of shown) if (!found.has(key(state.info.path))) found.set(key(state.info.path), state);

    for (const [path, state] of found) {
      const previous = this.known.get(path);
      if (previous?.last && !state.error) state.last = previous.last;
    }
    this.known.clear();
    for (const [path, state] of found) this.known.set(path, state);
    return [...found.values()].map((state) => state.info).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async readRefs(info: RepositoryInfo): Promise<RepositoryRefs> {
    let state = await this.project(info);
    const { api } = this.client;
    const readBranch = async (): Promise<{ branch: unknown; commit?: string }> => {
      if (state.defaultBranch === null) return { branch: null };
      try {
        const branch = (await api.Branches.show(info.path, state.defaultBranch)) as unknown as { commit?: { id?: string } };
        return { branch, ...(branch.commit?.id ? { commit: branch.commit.id } : {}) };
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        // The default branch changed since the listing: ask the project once more.
        state = await this.project(info, true);
        if (state.defaultBranch === null) return { branch: null };
        const branch = (await api.Branches.show(info.path, state.defaultBranch)) as unknown as { commit?: { id?: string } };
        return { branch, ...(branch.commit?.id ? { commit: branch.commit.id } : {}) };
      }
    };
    let branch: { branch: unknown; commit?: string };
    let tags: TagJson[];
    try {
      [branch, tags] = await Promise.all([
        readBranch(),
        api.Tags.all(info.path, { perPage: 100, orderBy: 'name', sort: 'asc' }) as unknown as Promise<TagJson[]>,
      ]);
    } catch (error) {
      throw this.failure(`${info.ref}: reading the branches and tags`, error);
    }

    // An unchanged re-read (304s answered from the remembered bodies) gives back the same objects.
    const last = state.last;
    if (last && last.branch === branch.branch && sameItems(last.tags, tags)) return last.refs;

    const rawTags: RawTag[] = [];
    for (const tag of tags) {
      const commit = tag.commit;
      if (!commit?.id) continue; // a tag on a tree or blob names no commit
      // An annotated tag's `target` is its tag object; a lightweight tag's is the commit itself.
      if (tag.target === commit.id) {
        rawTags.push({ name: tag.name, commit: commit.id });
        continue;
      }
      rawTags.push({ name: tag.name, commit: commit.id, annotation: { sha: tag.target, tagger: tagSignature(tag, commit), message: tag.message ?? '' } });
    }
    rawTags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const refs: RepositoryRefs = { tags: rawTags };
    if (state.defaultBranch !== null && branch.commit !== undefined) {
      refs.defaultBranch = state.defaultBranch;
      refs.headCommit = branch.commit;
    }
    state.last = { tags, branch: branch.branch, refs };
    return refs;
  }

  async listFiles(info: RepositoryInfo, commits: readonly string[]): Promise<string[][]> {
    const state = await this.project(info);
    for (const commit of commits) checkSha(commit, info);
    const wanted = commits.map((commit) => commit.toLowerCase());
    return this.throughObjectCache('files', this.trees, wanted.map((commit) => `${key(info.path)}@${commit}`), asStringList, async (index) => {
      const commit = wanted[index] as string;
      let entries: TreeEntryJson[];
      try {
        entries = (await this.client.api.Repositories.allRepositoryTrees(info.path, {
          recursive: true,
          ref: commit,
          perPage: 100,
          pagination: 'keyset',
        })) as unknown as TreeEntryJson[];
      } catch (error) {
        if (statusOf(error) === 404) throw this.unknownCommit(state.info, commit, error);
        throw this.failure(`${info.ref}: listing the files of ${commit}`, error);
      }
      return entries.filter((entry) => entry.type === 'blob').map((entry) => entry.path);
    });
  }

  async readFiles(info: RepositoryInfo, files: readonly FileRequest[]): Promise<FileContent[]> {
    const state = await this.project(info);
    for (const file of files) checkSha(file.commit, info);
    const askable = files.filter((file) => isAskablePath(file.path));
    const contents = await this.throughObjectCache(
      'file',
      this.files,
      askable.map((file) => `${key(info.path)}@${file.commit.toLowerCase()}:${file.path}`),
      (value) => asFileContent(value, this.maxFileBytes),
      (index) => {
        const file = askable[index] as FileRequest;
        return this.readFile(state, file.commit.toLowerCase(), file.path);
      },
      // `too-large` depends on this source's limit, not on the file: not for sources with other limits.
      (content) => content.found || content.reason !== 'too-large',
    );
    let next = 0;
    return files.map((file): FileContent => (isAskablePath(file.path) ? (contents[next++] as FileContent) : { found: false, reason: 'missing' }));
  }

  async readCommits(info: RepositoryInfo, shas: readonly string[]): Promise<CommitInfo[]> {
    const state = await this.project(info);
    for (const sha of shas) checkSha(sha, info);
    const wanted = shas.map((sha) => sha.toLowerCase());
    return this.throughObjectCache('commit', this.commits, wanted.map((sha) => `${key(info.path)}@${sha}`), asCommitInfo, async (index) => {
      const sha = wanted[index] as string;
      let commit: CommitJson;
      try {
        commit = (await this.client.api.Commits.show(info.path, sha)) as unknown as CommitJson;
      } catch (error) {
        if (statusOf(error) === 404) throw this.unknownCommit(state.info, sha, error);
        throw this.failure(`${info.ref}: reading commit ${sha}`, error);
      }
      return {
        sha: commit.id,
        author: signatureOf(commit.author_name, commit.author_email, commit.authored_date ?? commit.created_at),
        committer: signatureOf(commit.committer_name ?? commit.author_name, commit.committer_email ?? commit.author_email, commit.committed_date ?? commit.created_at),
        message: commit.message,
        parents: commit.parent_ids ?? [],
      };
    });
  }

  /**
   * The values of `ids` (`<project>@<sha>…`, unique per value): from memory, else from the
   * object cache (one `get` for all that memory lacks), else from `load` (given the id's index),
   * at most `concurrency` at once. What `load` answered and `keep` accepts goes to the object
   * cache in one `set`, even when another load failed.
   */
  private async throughObjectCache<V>(
    kind: ObjectKind,
    memory: BoundedCache<V>,
    ids: readonly string[],
    parse: (value: unknown) => V | undefined,
    load: (index: number) => Promise<V>,
    keep: (value: V) => boolean = () => true,
  ): Promise<V[]> {
    const stored = await this.objects.lookup(kind, [...new Set(ids.filter((id) => !memory.has(id)))], parse);
    const fetched: ObjectEntry[] = [];
    try {
      return await mapLimit(
        ids.map((id, index) => [id, index] as const),
        this.concurrency,
        ([id, index]) =>
          memory.get(id, async () => {
            const hit = stored.get(id);
            if (hit !== undefined) return hit;
            const value = await load(index);
            if (keep(value)) fetched.push([kind, id, value]);
            return value;
          }),
      );
    } finally {
      await this.objects.store(fetched);
    }
  }

  /** Nothing to release: HTTP connections belong to the client. */
  async close(): Promise<void> {}

  private async readFile(state: ProjectState, commit: string, path: string): Promise<FileContent> {
    let data: string | Blob;
    let headers: Record<string, string>;
    try {
      const answer = await this.client.api.RepositoryFiles.showRaw(state.info.path, path, commit, { showExpanded: true });
      data = answer.data;
      headers = answer.headers as Record<string, string>;
    } catch (error) {
      if (statusOf(error) === 404) {
        // GitLab says which: `404 Commit Not Found` for the ref, `404 File Not Found` for the path.
        if (/commit/i.test(descriptionOf(error))) throw this.unknownCommit(state.info, commit, error);
        return { found: false, reason: 'missing' };
      }
      throw this.failure(`${state.info.ref}: reading ${path} at ${commit}`, error);
    }
    // Text comes back as a string (its BOM dropped by the decoder), so the byte size is GitLab's `X-Gitlab-Size` when sent.
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(await data.arrayBuffer());
    const declared = Number.parseInt(headers['x-gitlab-size'] ?? '', 10);
    const size = Number.isSafeInteger(declared) && declared >= bytes.byteLength ? declared : bytes.byteLength;
    if (size > this.maxFileBytes) return { found: false, reason: 'too-large', size };
    return decodeText(bytes, size);
  }

  /**
   * An annotated tag with the caller's token: `POST /projects/:id/repository/tags` with a
   * message (research/git-hosts.md §4.3). GitLab writes the token's user as the tagger
   * (`author.tagger` cannot change that). "Tag … already exists" (400) is a `ConflictError`;
   * 401/403/404 are the token's lack of rights (`ForbiddenError`): creating tags needs the
   * `api` scope and the Developer role (more on protected tags).
   */
  async writeTag(info: RepositoryInfo, tag: TagToCreate, author: TagAuthor): Promise<void> {
    if (info.source !== this.name) {
      throw new InputError(`Repository ${info.ref} belongs to source "${info.source}", not to the GitLab source "${this.name}".`);
    }
    checkSha(tag.commit, info);
    if (!author.token) {
      throw new UnauthenticatedError(
        `This mutation writes a tag on ${this.host} with your own token: send X-Modelgate-Token-${this.name} with a token that may create tags in ${info.path}.`,
      );
    }
    if (!this.writeClient) throw new UpstreamError(`The ${this.name} source was set up without a client for writing tags, so this gateway cannot write to ${info.ref}.`, this.name);
    try {
      await this.writeClient(author.token).api.Tags.create(info.path, tag.name, tag.commit.toLowerCase(), { message: tag.message });
    } catch (error) {
      const status = statusOf(error);
      if (status === 401 || status === 403 || status === 404) {
        throw new ForbiddenError(
          `Your token may not create tags in ${info.path} on ${this.host} (GitLab answered ${status}): it needs the api scope and at least the Developer role.`,
          { cause: error },
        );
      }
      if (status === 400 && /already exists/i.test(descriptionOf(error))) {
        throw new ConflictError(`${info.ref}: tag ${tag.name} exists already; tags are never moved. Refresh the repository and try again.`, { cause: error });
      }
      if (status === 400 && /target|invalid reference|ref/i.test(descriptionOf(error))) {
        throw new InputError(`${info.ref}: ${tag.commit} is not a commit of the repository (GitLab: ${descriptionOf(error)}).`, { cause: error });
      }
      throw this.failure(`${info.ref}: creating tag ${tag.name}`, error, 'Check the tag name and try again.');
    }
  }

  /** The project's state from the last listing; lists (or shows the project) when it is not known or `fresh` is asked. */
  private async project(info: RepositoryInfo, fresh = false): Promise<ProjectState> {
    if (info.source !== this.name) {
      throw new InputError(`Repository ${info.ref} belongs to source "${info.source}", not to the GitLab source "${this.name}".`);
    }
    const known = this.known.get(key(info.path));
    if (known?.error) throw known.error;
    if (known && !fresh) return known;
    let state: ProjectState;
    try {
      state = this.stateOf((await this.client.api.Projects.show(info.path)) as unknown as ProjectJson);
    } catch (error) {
      state = this.missingProject(info.path, error);
    }
    if (known?.last && !state.error) state.last = known.last;
    this.known.set(key(info.path), state);
    if (state.error) throw state.error;
    return state;
  }

  private stateOf(project: ProjectJson): ProjectState {
    const path = project.path_with_namespace;
    return {
      info: { ref: `${this.name}:${path}`, source: this.name, kind: 'gitlab', path, host: this.host, fullName: path, url: project.web_url },
      defaultBranch: project.default_branch ?? null,
    };
  }

  /** A configured project GitLab would not show: listed, so its failure is reported on it alone. */
  private missingProject(path: string, error: unknown): ProjectState {
    const ref = `${this.name}:${path}`;
    const failure =
      statusOf(error) === 404
        ? new UpstreamError(
            `${ref}: GitLab (${this.host}) has no project ${path} that this token can see (404 Project Not Found). Check the path under \`projects\` of the ${this.name} source, and that the token has the read_api scope and at least Reporter access.`,
            this.name,
            404,
            { cause: error },
          )
        : this.failure(`${ref}: reading the project`, error);
    return {
      info: { ref, source: this.name, kind: 'gitlab', path, host: this.host, fullName: path, url: `${this.client.host}/${path}` },
      defaultBranch: null,
      error: failure,
    };
  }

  private unknownCommit(info: RepositoryInfo, sha: string, cause: unknown): UpstreamError {
    return new UpstreamError(`${info.ref}: commit ${sha} does not exist in the repository (rewritten history, or a SHA from another repository?)`, this.name, 404, { cause });
  }

  /** An UpstreamError saying what was being done, what GitLab answered, and what to check. */
  private failure(doing: string, error: unknown, hint?: string): Error {
    if (error instanceof UpstreamError || error instanceof InputError) return error;
    const status = statusOf(error);
    const answer =
      error instanceof GitbeakerTimeoutError
        ? `GitLab did not answer in time (${error.message})`
        : error instanceof GitbeakerRetryError
          ? error.message
          : status !== undefined
            ? `GitLab answered ${status} ${descriptionOf(error)}`.trim()
            : `the request failed: ${error instanceof Error ? error.message : String(error)}`;
    const advice =
      hint ??
      (status === 401
        ? 'Check the token of the source.'
        : status === 403
          ? 'The token needs the read_api scope and at least Reporter access.'
          : status === 429
            ? 'GitLab kept rate-limiting; the next refresh will try again.'
            : 'The next refresh will try again.');
    return new UpstreamError(`${doing} failed: ${answer}. ${advice}`, this.name, status, { cause: error });
  }
}

/**
 * The tagger of an annotated tag as far as GitLab tells it. GitLab's REST API has no tagger
 * identity (research/git-hosts.md, pitfall 10), so — unlike the local source, which reads the
 * tag object — the name and email are those of the tagged commit's *author*, and the time is the
 * tag's `created_at` (GitLab 16.11+: the tagger date of the tag object, offset kept); where
 * `created_at` is missing (older GitLab) the commit's committed date stands in.
 */
function tagSignature(tag: TagJson, commit: CommitJson): Signature {
  return signatureOf(commit.author_name, commit.author_email, tag.created_at ?? commit.committed_date ?? commit.created_at);
}

/** A Signature from GitLab's ISO dates (`2025-01-02T10:11:12.000+02:00`): the offset as given, seconds since the epoch. */
function signatureOf(name: string, email: string, iso: string | null | undefined): Signature {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(iso ?? '');
  const parsed = Date.parse(iso ?? '');
  if (!match?.[1] || !match[2] || Number.isNaN(parsed)) {
    return { name, email, timestamp: 0, offset: '+0000', date: '1970-01-01T00:00:00+00:00' };
  }
  const zone = match[2] === 'Z' ? '+00:00' : match[2].length === 5 ? `${match[2].slice(0, 3)}:${match[2].slice(3)}` : match[2];
  return { name, email, timestamp: Math.floor(parsed / 1000), offset: zone.replace(':', ''), date: `${match[1]}${zone}` };
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof GitbeakerRequestError) return error.cause?.response.status;
  return undefined;
}

function descriptionOf(error: unknown): string {
  if (error instanceof GitbeakerRequestError) return error.cause?.description ?? error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Runs `work` over `items` with at most `limit` in flight; results in the order of `items`. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** GitLab paths are case-insensitive. */
function key(path: string): string {
  return path.toLowerCase();
}

function trimPath(path: string): string {
  return path.trim().replace(/^\/+|\/+$/g, '');
}


