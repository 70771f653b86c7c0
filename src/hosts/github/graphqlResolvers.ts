import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { Kind, getNamedType, isNonNullType } from 'graphql';
import type { GraphQLFieldResolver, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { SimRepository, SimSignature } from '../types.js';
import { checkPageArgs, emptyPage, paginate } from './graphqlConnection.js';
import type { CursorCodec, Page, PageArgs } from './graphqlConnection.js';
import { GitHubError, notSimulated } from './graphqlErrors.js';
import type { GitObjectKind, RequestGit, SimRef } from './graphqlGit.js';
import { looksBinary } from '../isText.js';

/** `Blob.text` stops here, with `isTruncated: true` (measured on github.com; undocumented). */
export const BLOB_TEXT_LIMIT = 512_000;

/** What `rateLimit` answers, fixed before the query runs. */
export interface RateLimitView {
  cost: number;
  limit: number;
  nodeCount: number;
  remaining: number;
  resetAt: string;
  used: number;
}

/** Per-request state the resolvers read. */
export interface ResolverContext {
  git: RequestGit;
  /** `http://host:port` of the simulator: the base of every `url` (GitHub's would be `https://github.com`). */
  webBase: string;
  viewerLogin: string;
  rateLimit: RateLimitView;
}

// The models: what a resolver hands down. `__typename` lets graphql-js pick the concrete
// type of an interface or union; everything else is read by the resolvers below.
interface RepositoryModel {
  __typename: 'Repository';
  repo: SimRepository;
}
interface OwnerModel {
  __typename: 'Organization' | 'User';
  login: string;
  /** The viewer: owns no repositories but sees every readable one. */
  viewer?: boolean;
}
interface RefModel {
  __typename: 'Ref';
  repo: SimRepository;
  ref: SimRef;
  prefix: string;
  name: string;
}
interface GitObjectModel {
  __typename: GitObjectKind;
  repo: SimRepository;
  sha: string;
  /** Trees: the path of the tree from the repository root (`''` for a root tree), so entries get full paths. */
  basePath?: string;
  /** Blobs: the size when a tree entry already told it. */
  size?: number;
}
interface TreeEntryModel {
  repo: SimRepository;
  name: string;
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
}
interface ActorModel {
  name: string;
  email: string;
  date: string;
  user: null;
}

type Source = Record<string, unknown>;
type Resolver<S = never, A = never> = (source: S, args: A, ctx: ResolverContext, info: GraphQLResolveInfo) => unknown;
type Resolvers = Record<string, Record<string, Resolver<never, never>>>;

/**
 * Resolves every field of GitHub's schema: a resolver below when there is one, else a
 * property of the model of the same name, else null; a non-null field nobody computes
 * fails with a NOT_SIMULATED error instead of graphql-js's "Cannot return null".
 *
 * Before any of that, a connection's `first`/`last` are checked as GitHub checks them
 * when the field resolves (MISSING_PAGINATION_BOUNDARIES, EXCESSIVE_PAGINATION), so the
 * error carries the field's path, on simulated and unsimulated connections alike.
 */
export const fieldResolver: GraphQLFieldResolver<unknown, ResolverContext> = (source, args, ctx, info) => {
  if (isConnection(info)) checkPageArgs(info.fieldName, args as PageArgs, selectsAny(info, ['nodes', 'edges']));
  const resolver = RESOLVERS[info.parentType.name]?.[info.fieldName] as Resolver<unknown, unknown> | undefined;
  if (resolver) return resolver(source, args, ctx, info);
  if (info.parentType === info.schema.getMutationType()) throw notSimulated(info.parentType.name, info.fieldName);
  if (source !== null && typeof source === 'object' && info.fieldName in source) return (source as Source)[info.fieldName];
  if (isNonNullType(info.returnType)) throw notSimulated(info.parentType.name, info.fieldName);
  return null;
};

// ---------------------------------------------------------------------------------------
// Shared pieces

/** GitHub's DateTime: UTC, seconds, `Z`. */
function utc(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function actor(signature: SimSignature): ActorModel {
  return { name: signature.name, email: signature.email, date: signature.date, user: null };
}

const ID_PREFIX: Record<string, string> = {
  Repository: 'R',
  Ref: 'REF',
  Commit: 'C',
  Tag: 'TAG',
  Tree: 'TREE',
  Blob: 'B',
  Organization: 'O',
  User: 'U',
};

/** Global node IDs in GitHub's new style (`R_…`): a type prefix and an opaque key; `node(id:)` reads them back. */
function nodeId(type: string, key: string): string {
  return `${ID_PREFIX[type] ?? type}_${Buffer.from(key).toString('base64url')}`;
}

function parseNodeId(id: string): { type: string; key: string } | undefined {
  const match = /^([A-Z]+)_([A-Za-z0-9_-]+)$/.exec(id);
  const type = Object.entries(ID_PREFIX).find(([, prefix]) => prefix === match?.[1])?.[0];
  return type && match?.[2] ? { type, key: Buffer.from(match[2], 'base64url').toString('utf8') } : undefined;
}

/** A stable positive 31-bit number for a login (GitHub's `databaseId` of a user or organization). */
function loginId(login: string): number {
  return createHash('sha256').update(`login:${login.toLowerCase()}`).digest().readUInt32BE(0) & 0x7fffffff || 1;
}

function repositoryModel(repo: SimRepository): RepositoryModel {
  return { __typename: 'Repository', repo };
}

function objectModel(repo: SimRepository, kind: GitObjectKind, sha: string, extra: Partial<GitObjectModel> = {}): GitObjectModel {
  return { __typename: kind, repo, sha, ...extra };
}

function refModel(repo: SimRepository, ref: SimRef): RefModel {
  const [, prefix = '', name = ref.qualifiedName] = /^(refs\/[^/]+\/)(.+)$/.exec(ref.qualifiedName) ?? [];
  return { __typename: 'Ref', repo, ref, prefix, name };
}

function ownerOf(repo: SimRepository): string {
  return repo.path.split('/')[0] ?? '';
}

/** Whether the field is a GitHub connection (paginated with `first`/`last`). */
function isConnection(info: GraphQLResolveInfo): boolean {
  if (!getNamedType(info.returnType).name.endsWith('Connection')) return false;
  const def = info.parentType.getFields()[info.fieldName];
  return def?.args.some((arg) => arg.name === 'first' || arg.name === 'last') ?? false;
}

/** Whether the field's selection (through fragments) names any of `names` directly. */
function selectsAny(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((selection) => {
      if (selection.kind === Kind.FIELD) return names.includes(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      if (seen.has(selection.name.value)) return false;
      seen.add(selection.name.value);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}

/** `Repository.object(expression:)`: `<rev>:<path>`, `<rev>:` (the root tree) or `<rev>` alone. */
async function objectAt(ctx: ResolverContext, repo: SimRepository, expression: string): Promise<GitObjectModel | null> {
  const colon = expression.indexOf(':');
  const rev = colon < 0 ? expression : expression.slice(0, colon);
  if (colon < 0) return objectForRev(ctx, repo, rev);
  const path = expression.slice(colon + 1).replace(/^\/+|\/+$/g, '');
  const commitSha = await ctx.git.resolveCommit(repo, rev);
  if (!commitSha) return null;
  if (path === '') {
    const commit = await ctx.git.commit(repo, commitSha);
    return commit ? objectModel(repo, 'Tree', commit.tree, { basePath: '' }) : null;
  }
  // Files are what is asked for nearly always: one read, no tree listing.
  const blob = await ctx.git.fileAt(repo, commitSha, path);
  if (blob) return objectModel(repo, 'Blob', blob.sha, { size: blob.size });
  const found = await ctx.git.entryAt(repo, commitSha, path);
  if (!found || found.entry.type === 'commit') return null; // a submodule's commit is not in this repository
  return found.entry.type === 'tree' ? objectModel(repo, 'Tree', found.entry.sha, { basePath: found.path }) : objectModel(repo, 'Blob', found.entry.sha, { size: found.entry.size });
}

/** A bare revision: an annotated tag's name gives the Tag, other names the commit, a SHA its object. */
async function objectForRev(ctx: ResolverContext, repo: SimRepository, rev: string): Promise<GitObjectModel | null> {
  const refs = await ctx.git.refs(repo);
  const tag = refs.find((r) => r.annotated && (r.qualifiedName === rev || r.qualifiedName === `refs/tags/${rev}`));
  if (tag) return objectModel(repo, 'Tag', tag.sha);
  const named = refs.some((r) => r.qualifiedName === rev || r.qualifiedName === `refs/heads/${rev}` || r.qualifiedName === `refs/tags/${rev}`);
  if (named || rev === 'HEAD') {
    const commit = await ctx.git.resolveCommit(repo, rev);
    return commit ? objectModel(repo, 'Commit', commit) : null;
  }
  const object = await ctx.git.object(repo, rev);
  if (object) return objectModel(repo, object.kind, object.sha);
  const commit = await ctx.git.resolveCommit(repo, rev);
  return commit ? objectModel(repo, 'Commit', commit) : null;
}

async function loadCommit(ctx: ResolverContext, m: GitObjectModel) {
  const commit = await ctx.git.commit(m.repo, m.sha);
  if (!commit) throw new Error(`commit ${m.sha} of ${m.repo.path} vanished during the request`);
  return commit;
}

async function loadTag(ctx: ResolverContext, m: GitObjectModel) {
  const tag = await ctx.git.tagObject(m.repo, m.sha);
  if (!tag) throw new Error(`tag object ${m.sha} of ${m.repo.path} vanished during the request`);
  return tag;
}

async function loadBlob(ctx: ResolverContext, m: GitObjectModel) {
  const blob = await ctx.git.blob(m.repo, m.sha);
  if (!blob) throw new Error(`blob ${m.sha} of ${m.repo.path} vanished during the request`);
  return blob;
}

/** The first `BLOB_TEXT_LIMIT` bytes as text, cut back to a character boundary. */
function blobText(content: Buffer): string {
  if (content.length <= BLOB_TEXT_LIMIT) return content.toString('utf8');
  let end = BLOB_TEXT_LIMIT;
  while (end > 0 && ((content[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return content.subarray(0, end).toString('utf8');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Git's message without its final newlines, as GitHub shows commit messages. */
function commitMessage(message: string): string {
  return message.replace(/\n+$/, '');
}

interface RepositoriesArgs extends PageArgs {
  orderBy?: { field: 'CREATED_AT' | 'UPDATED_AT' | 'PUSHED_AT' | 'NAME' | 'STARGAZERS'; direction: 'ASC' | 'DESC' } | null;
  privacy?: 'PUBLIC' | 'PRIVATE' | null;
  visibility?: 'PUBLIC' | 'PRIVATE' | 'INTERNAL' | null;
  isFork?: boolean | null;
  isArchived?: boolean | null;
}

/** The head commit's date: what the simulator gives as `pushedAt`, `updatedAt` and `createdAt`. */
async function headDate(ctx: ResolverContext, repo: SimRepository): Promise<number | undefined> {
  const head = await ctx.git.defaultBranch(repo);
  if (!head.commit) return undefined;
  return (await ctx.git.commit(repo, head.commit))?.committer.timestamp;
}

async function repositoriesPage(ctx: ResolverContext, repos: SimRepository[], args: RepositoriesArgs): Promise<Page<RepositoryModel>> {
  // Every simulated repository is public, not a fork, not archived.
  let list = args.privacy === 'PRIVATE' || (args.visibility && args.visibility !== 'PUBLIC') || args.isFork === true || args.isArchived === true ? [] : [...repos];
  const field = args.orderBy?.field ?? 'NAME';
  if (field === 'NAME' || field === 'STARGAZERS') {
    list.sort((a, b) => a.path.toLowerCase().localeCompare(b.path.toLowerCase()));
  } else {
    const dates = new Map(await Promise.all(list.map(async (r) => [r.path, (await headDate(ctx, r)) ?? 0] as const)));
    list.sort((a, b) => (dates.get(a.path) ?? 0) - (dates.get(b.path) ?? 0) || a.path.localeCompare(b.path));
  }
  if (args.orderBy?.direction === 'DESC') list = list.reverse();
  for (const repo of list) ctx.git.touched.add(repo.path);
  return paginate(list.map(repositoryModel), args);
}

async function ownedRepositories(ctx: ResolverContext, owner: OwnerModel): Promise<SimRepository[]> {
  const readable = await ctx.git.readableRepositories();
  return owner.viewer ? readable : readable.filter((r) => ownerOf(r).toLowerCase() === owner.login.toLowerCase());
}

async function findOwner(ctx: ResolverContext, login: string, type: OwnerModel['__typename']): Promise<OwnerModel | undefined> {
  if (type === 'User' && login.toLowerCase() === ctx.viewerLogin.toLowerCase()) return { __typename: 'User', login: ctx.viewerLogin, viewer: true };
  const owner = (await ctx.git.owners()).find((o) => o.toLowerCase() === login.toLowerCase());
  return owner ? { __typename: type, login: owner } : undefined;
}

/** Commits reachable from `start`, newest committer date first (as `git log`), filtered as `Commit.history` filters. */
async function walkHistory(
  ctx: ResolverContext,
  repo: SimRepository,
  start: string,
  filter: { path?: string | null; since?: string | null; until?: string | null; emails?: readonly string[] | null },
  limit: number,
): Promise<string[]> {
  const since = filter.since ? Date.parse(filter.since) / 1000 : -Infinity;
  const until = filter.until ? Date.parse(filter.until) / 1000 : Infinity;
  const emails = filter.emails?.length ? new Set(filter.emails.map((e) => e.toLowerCase())) : undefined;
  const path = filter.path?.replace(/^\/+|\/+$/g, '') || undefined;
  const out: string[] = [];
  const seen = new Set<string>([start]);
  const frontier = [await loadCommit(ctx, objectModel(repo, 'Commit', start))];
  while (frontier.length > 0 && out.length < limit) {
    frontier.sort((a, b) => b.committer.timestamp - a.committer.timestamp || (a.sha < b.sha ? -1 : 1));
    const commit = frontier.shift();
    if (!commit) break;
    for (const parent of commit.parents) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      const loaded = await ctx.git.commit(repo, parent);
      if (loaded) frontier.push(loaded);
    }
    const when = commit.committer.timestamp;
    if (when < since || when > until) continue;
    if (emails && !emails.has(commit.author.email.toLowerCase())) continue;
    if (path) {
      // A commit touches the path when what is there differs from every parent's (no history simplification).
      const here = await ctx.git.pathOid(repo, commit.sha, path);
      const before = await Promise.all(commit.parents.map((p) => ctx.git.pathOid(repo, p, path)));
      const changed = commit.parents.length === 0 ? here !== undefined : before.every((b) => b !== here);
      if (!changed) continue;
    }
    out.push(commit.sha);
  }
  return out;
}

/** GitHub's history cursors: base64 of `<start sha> <index>`. */
function historyCursors(start: string): CursorCodec {
  return {
    encode: (index) => Buffer.from(`${start} ${index}`).toString('base64'),
    decode: (cursor) => {
      const match = /^[0-9a-f]{40,64} (\d{1,9})$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
      return match ? Number(match[1]) : undefined;
    },
  };
}

function treeEntryModel(repo: SimRepository, basePath: string, entry: { path: string; mode: string; type: 'blob' | 'tree' | 'commit'; sha: string; size?: number }): TreeEntryModel {
  const path = basePath ? `${basePath}/${entry.path}` : entry.path;
  const name = path.slice(path.lastIndexOf('/') + 1);
  return { repo, name, path, mode: entry.mode, type: entry.type, sha: entry.sha, ...(entry.size !== undefined ? { size: entry.size } : {}) };
}

// ---------------------------------------------------------------------------------------
// The resolvers, by type and field

const gitObject = {
  oid: (m: GitObjectModel) => m.sha,
  abbreviatedOid: (m: GitObjectModel) => m.sha.slice(0, 7),
  id: (m: GitObjectModel) => nodeId(m.__typename, `${m.repo.path}\n${m.sha}`),
  repository: (m: GitObjectModel) => repositoryModel(m.repo),
  commitUrl: (m: GitObjectModel, _: unknown, ctx: ResolverContext) => `${ctx.webBase}/${m.repo.path}/commit/${m.sha}`,
  commitResourcePath: (m: GitObjectModel) => `/${m.repo.path}/commit/${m.sha}`,
};

const owner = {
  id: (m: OwnerModel) => nodeId(m.__typename, m.login),
  databaseId: (m: OwnerModel) => loginId(m.login),
  login: (m: OwnerModel) => m.login,
  name: (m: OwnerModel) => m.login,
  url: (m: OwnerModel, _: unknown, ctx: ResolverContext) => `${ctx.webBase}/${m.login}`,
  resourcePath: (m: OwnerModel) => `/${m.login}`,
  avatarUrl: (m: OwnerModel, args: { size?: number | null }, ctx: ResolverContext) => `${ctx.webBase}/avatars/${encodeURIComponent(m.login)}${args.size ? `?s=${args.size}` : ''}`,
  repositories: async (m: OwnerModel, args: RepositoriesArgs, ctx: ResolverContext) => repositoriesPage(ctx, await ownedRepositories(ctx, m), args),
  repository: async (m: OwnerModel, args: { name: string }, ctx: ResolverContext) => {
    const repo = await ctx.git.find(`${m.login}/${args.name}`);
    return repo ? repositoryModel(repo) : null;
  },
};

const RESOLVERS: Resolvers = {
  Query: {
    repository: async (_: unknown, args: { owner: string; name: string }, ctx: ResolverContext) => {
      const repo = await ctx.git.find(`${args.owner}/${args.name}`);
      if (!repo) throw new GitHubError('NOT_FOUND', `Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`);
      return repositoryModel(repo);
    },
    organization: async (_: unknown, args: { login: string }, ctx: ResolverContext) => {
      const found = await findOwner(ctx, args.login, 'Organization');
      if (!found) throw new GitHubError('NOT_FOUND', `Could not resolve to an Organization with the login of '${args.login}'.`);
      return found;
    },
    user: async (_: unknown, args: { login: string }, ctx: ResolverContext) => {
      const found = await findOwner(ctx, args.login, 'User');
      if (!found) throw new GitHubError('NOT_FOUND', `Could not resolve to a User with the login of '${args.login}'.`);
      return found;
    },
    repositoryOwner: async (_: unknown, args: { login: string }, ctx: ResolverContext) => (await findOwner(ctx, args.login, 'Organization')) ?? null,
    viewer: (_: unknown, __: unknown, ctx: ResolverContext): OwnerModel => ({ __typename: 'User', login: ctx.viewerLogin, viewer: true }),
    rateLimit: (_: unknown, __: unknown, ctx: ResolverContext) => ctx.rateLimit,
    node: (_: unknown, args: { id: string }, ctx: ResolverContext) => resolveNode(ctx, args.id),
    nodes: (_: unknown, args: { ids: string[] }, ctx: ResolverContext) => {
      if (args.ids.length > 100) throw new GitHubError('ARGUMENT_LIMIT', `You may not provide more than 100 node ids; you provided ${args.ids.length}.`);
      return args.ids.map((id) => resolveNode(ctx, id));
    },
  },

  Repository: {
    id: (m: RepositoryModel) => nodeId('Repository', m.repo.path),
    databaseId: (m: RepositoryModel) => m.repo.id,
    name: (m: RepositoryModel) => m.repo.path.split('/')[1],
    nameWithOwner: (m: RepositoryModel) => m.repo.path,
    owner: (m: RepositoryModel): OwnerModel => ({ __typename: 'Organization', login: ownerOf(m.repo) }),
    url: (m: RepositoryModel, _: unknown, ctx: ResolverContext) => `${ctx.webBase}/${m.repo.path}`,
    resourcePath: (m: RepositoryModel) => `/${m.repo.path}`,
    sshUrl: (m: RepositoryModel, _: unknown, ctx: ResolverContext) => `git@${new URL(ctx.webBase).hostname}:${m.repo.path}.git`,
    description: () => null,
    homepageUrl: () => null,
    isPrivate: () => false,
    visibility: () => 'PUBLIC',
    isArchived: () => false,
    isDisabled: () => false,
    isFork: () => false,
    isLocked: () => false,
    isMirror: () => false,
    isTemplate: () => false,
    forkCount: () => 0,
    stargazerCount: () => 0,
    viewerPermission: () => 'ADMIN',
    isEmpty: async (m: RepositoryModel, _: unknown, ctx: ResolverContext) => (await ctx.git.branches(m.repo)).length === 0,
    pushedAt: async (m: RepositoryModel, _: unknown, ctx: ResolverContext) => {
      const when = await headDate(ctx, m.repo);
      return when === undefined ? null : utc(when);
    },
    updatedAt: async (m: RepositoryModel, _: unknown, ctx: ResolverContext) => utc((await headDate(ctx, m.repo)) ?? 0),
    createdAt: async (m: RepositoryModel, _: unknown, ctx: ResolverContext) => utc((await headDate(ctx, m.repo)) ?? 0),
    defaultBranchRef: async (m: RepositoryModel, _: unknown, ctx: ResolverContext) => {
      const head = await ctx.git.defaultBranch(m.repo);
      if (!head.commit) return null;
      return refModel(m.repo, { qualifiedName: `refs/heads/${head.name}`, sha: head.commit, commit: head.commit, annotated: false });
    },
    ref: async (m: RepositoryModel, args: { qualifiedName: string }, ctx: ResolverContext) => {
      const refs = await ctx.git.refs(m.repo);
      const q = args.qualifiedName;
      const ref = refs.find((r) => r.qualifiedName === q) ?? refs.find((r) => r.qualifiedName === `refs/heads/${q}`) ?? refs.find((r) => r.qualifiedName === `refs/tags/${q}`);
      return ref ? refModel(m.repo, ref) : null;
    },
    refs: async (
      m: RepositoryModel,
      args: PageArgs & { refPrefix: string; query?: string | null; direction?: 'ASC' | 'DESC' | null; orderBy?: { field: 'TAG_COMMIT_DATE' | 'ALPHABETICAL'; direction: 'ASC' | 'DESC' } | null },
      ctx: ResolverContext,
    ) => {
      const query = args.query?.toLowerCase();
      let refs = (await ctx.git.refs(m.repo, args.refPrefix))
        .filter((r) => r.qualifiedName.length > args.refPrefix.length)
        .map((ref) => ({ ...refModel(m.repo, ref), name: ref.qualifiedName.slice(args.refPrefix.length), prefix: args.refPrefix }))
        .filter((r) => !query || r.name.toLowerCase().includes(query));
      if (args.orderBy?.field === 'TAG_COMMIT_DATE') {
        const dates = new Map(await Promise.all(refs.map(async (r) => [r.ref.commit, (await ctx.git.commit(m.repo, r.ref.commit))?.committer.timestamp ?? 0] as const)));
        refs.sort((a, b) => (dates.get(a.ref.commit) ?? 0) - (dates.get(b.ref.commit) ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      } else {
        refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      }
      if ((args.orderBy?.direction ?? args.direction) === 'DESC') refs = refs.reverse();
      return paginate(refs, args);
    },
    object: async (m: RepositoryModel, args: { oid?: string | null; expression?: string | null }, ctx: ResolverContext) => {
      if (args.oid) {
        const object = await ctx.git.object(m.repo, args.oid);
        return object ? objectModel(m.repo, object.kind, object.sha, object.kind === 'Tree' ? { basePath: '' } : {}) : null;
      }
      return args.expression ? objectAt(ctx, m.repo, args.expression) : null;
    },
  },

  Organization: { ...owner, email: () => null },
  User: {
    ...owner,
    email: () => '',
    isViewer: (m: OwnerModel, _: unknown, ctx: ResolverContext) => m.login === ctx.viewerLogin,
  },

  Ref: {
    id: (m: RefModel) => nodeId('Ref', `${m.repo.path}\n${m.ref.qualifiedName}`),
    repository: (m: RefModel) => repositoryModel(m.repo),
    target: (m: RefModel) => objectModel(m.repo, m.ref.annotated ? 'Tag' : 'Commit', m.ref.sha),
    associatedPullRequests: () => emptyPage(),
    branchProtectionRule: () => null,
    refUpdateRule: () => null,
    compare: () => null,
  },

  Tag: {
    ...gitObject,
    name: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => (await loadTag(ctx, m)).name,
    message: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => (await loadTag(ctx, m)).annotation?.message ?? null,
    tagger: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => {
      const tagger = (await loadTag(ctx, m)).annotation?.tagger;
      return tagger ? actor(tagger) : null;
    },
    target: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => {
      const tag = await loadTag(ctx, m);
      const kinds: Record<string, GitObjectKind> = { commit: 'Commit', tag: 'Tag', tree: 'Tree', blob: 'Blob' };
      const kind = kinds[tag.objectType];
      if (!kind) throw new Error(`tag ${m.sha} of ${m.repo.path} points at a ${tag.objectType}`);
      return objectModel(m.repo, kind, tag.object, kind === 'Tree' ? { basePath: '' } : {});
    },
  },

  Commit: {
    ...gitObject,
    url: (m: GitObjectModel, _: unknown, ctx: ResolverContext) => `${ctx.webBase}/${m.repo.path}/commit/${m.sha}`,
    resourcePath: (m: GitObjectModel) => `/${m.repo.path}/commit/${m.sha}`,
    treeUrl: (m: GitObjectModel, _: unknown, ctx: ResolverContext) => `${ctx.webBase}/${m.repo.path}/tree/${m.sha}`,
    treeResourcePath: (m: GitObjectModel) => `/${m.repo.path}/tree/${m.sha}`,
    zipballUrl: (m: GitObjectModel, _: unknown, ctx: ResolverContext) => `${ctx.webBase}/${m.repo.path}/archive/${m.sha}.zip`,
    tarballUrl: (m: GitObjectModel, _: unknown, ctx: ResolverContext) => `${ctx.webBase}/${m.repo.path}/archive/${m.sha}.tar.gz`,
    message: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => commitMessage((await loadCommit(ctx, m)).message),
    messageHeadline: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => commitMessage((await loadCommit(ctx, m)).message).split('\n')[0] ?? '',
    messageBody: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => commitMessage((await loadCommit(ctx, m)).message).split('\n').slice(1).join('\n').replace(/^\n+/, ''),
    messageHeadlineHTML: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => escapeHtml(commitMessage((await loadCommit(ctx, m)).message).split('\n')[0] ?? ''),
    messageBodyHTML: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) =>
      escapeHtml(commitMessage((await loadCommit(ctx, m)).message).split('\n').slice(1).join('\n').replace(/^\n+/, '')),
    committedDate: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => utc((await loadCommit(ctx, m)).committer.timestamp),
    authoredDate: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => utc((await loadCommit(ctx, m)).author.timestamp),
    author: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => actor((await loadCommit(ctx, m)).author),
    committer: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => actor((await loadCommit(ctx, m)).committer),
    authoredByCommitter: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => {
      const c = await loadCommit(ctx, m);
      return c.author.name === c.committer.name && c.author.email === c.committer.email;
    },
    authors: async (m: GitObjectModel, args: PageArgs, ctx: ResolverContext) => paginate([actor((await loadCommit(ctx, m)).author)], args),
    committedViaWeb: () => false,
    pushedDate: () => null,
    signature: () => null,
    status: () => null,
    statusCheckRollup: () => null,
    checkSuites: () => null,
    changedFilesIfAvailable: () => null,
    viewerCanSubscribe: () => false,
    viewerSubscription: () => null,
    onBehalfOf: () => null,
    associatedPullRequests: () => emptyPage(),
    comments: () => emptyPage(),
    deployments: () => emptyPage(),
    tree: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => objectModel(m.repo, 'Tree', (await loadCommit(ctx, m)).tree, { basePath: '' }),
    parents: async (m: GitObjectModel, args: PageArgs, ctx: ResolverContext) =>
      paginate(
        (await loadCommit(ctx, m)).parents.map((sha) => objectModel(m.repo, 'Commit', sha)),
        args,
      ),
    history: async (
      m: GitObjectModel,
      args: PageArgs & { path?: string | null; since?: string | null; until?: string | null; author?: { emails?: string[] | null } | null },
      ctx: ResolverContext,
      info: GraphQLResolveInfo,
    ) => {
      const codec = historyCursors(m.sha);
      const everything = args.last != null || args.before != null || selectsAny(info, ['totalCount']);
      const after = args.after == null ? -1 : codec.decode(args.after);
      if (after === undefined) throw new GitHubError('INVALID_CURSOR_ARGUMENTS', `\`${args.after ?? ''}\` does not appear to be a valid cursor.`);
      const limit = everything ? Infinity : after + 1 + (args.first ?? 0) + 1;
      const shas = await walkHistory(ctx, m.repo, m.sha, { path: args.path, since: args.since, until: args.until, emails: args.author?.emails }, limit);
      return paginate(
        shas.map((sha) => objectModel(m.repo, 'Commit', sha)),
        args,
        { codec },
      );
    },
    file: async (m: GitObjectModel, args: { path: string }, ctx: ResolverContext) => {
      const found = await ctx.git.entryAt(m.repo, m.sha, args.path);
      if (!found) return null;
      const basePath = found.path.includes('/') ? found.path.slice(0, found.path.lastIndexOf('/')) : '';
      return treeEntryModel(m.repo, basePath, { ...found.entry, path: found.entry.path });
    },
  },

  Tree: {
    ...gitObject,
    entries: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => {
      const tree = await ctx.git.tree(m.repo, m.sha);
      return (tree?.entries ?? []).map((entry) => treeEntryModel(m.repo, m.basePath ?? '', entry));
    },
  },

  TreeEntry: {
    mode: (m: TreeEntryModel) => Number.parseInt(m.mode, 8),
    oid: (m: TreeEntryModel) => m.sha,
    size: (m: TreeEntryModel) => m.size ?? 0,
    extension: (m: TreeEntryModel) => (m.type === 'blob' ? extname(m.name) || null : null),
    isGenerated: () => false,
    language: () => null,
    submodule: () => null,
    nameRaw: (m: TreeEntryModel) => Buffer.from(m.name).toString('base64'),
    pathRaw: (m: TreeEntryModel) => Buffer.from(m.path).toString('base64'),
    repository: (m: TreeEntryModel) => repositoryModel(m.repo),
    lineCount: async (m: TreeEntryModel, _: unknown, ctx: ResolverContext) => {
      if (m.type !== 'blob') return null;
      const blob = await ctx.git.blob(m.repo, m.sha);
      if (!blob || looksBinary(blob.content)) return null;
      const text = blob.content.toString('utf8');
      return text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    },
    object: (m: TreeEntryModel) => {
      if (m.type === 'blob') return objectModel(m.repo, 'Blob', m.sha, m.size !== undefined ? { size: m.size } : {});
      if (m.type === 'tree') return objectModel(m.repo, 'Tree', m.sha, { basePath: m.path });
      return null; // a submodule: its commit lives in another repository
    },
  },

  Blob: {
    ...gitObject,
    byteSize: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => m.size ?? (await loadBlob(ctx, m)).size,
    isBinary: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => looksBinary((await loadBlob(ctx, m)).content),
    isTruncated: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => (m.size ?? (await loadBlob(ctx, m)).size) > BLOB_TEXT_LIMIT,
    text: async (m: GitObjectModel, _: unknown, ctx: ResolverContext) => {
      const blob = await loadBlob(ctx, m);
      return looksBinary(blob.content) ? null : blobText(blob.content);
    },
  },

  GitActor: {
    avatarUrl: (m: ActorModel, args: { size?: number | null }, ctx: ResolverContext) =>
      `${ctx.webBase}/avatars/u/${createHash('md5').update(m.email.toLowerCase()).digest('hex')}${args.size ? `?s=${args.size}` : ''}`,
  },
};

/** `node(id:)`: the IDs this simulator hands out, read back and checked against what exists and what the caller may read. */
async function resolveNode(ctx: ResolverContext, id: string): Promise<unknown> {
  const notFound = () => new GitHubError('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'`);
  const parsed = parseNodeId(id);
  if (!parsed) throw notFound();
  const { type, key } = parsed;
  if (type === 'Organization' || type === 'User') {
    const found = await findOwner(ctx, key, type);
    if (!found) throw notFound();
    return found;
  }
  const [path = '', rest = ''] = key.split('\n');
  const repo = await ctx.git.find(path);
  if (!repo) throw notFound();
  if (type === 'Repository') return repositoryModel(repo);
  if (type === 'Ref') {
    const ref = (await ctx.git.refs(repo)).find((r) => r.qualifiedName === rest);
    if (!ref) throw notFound();
    return refModel(repo, ref);
  }
  const object = await ctx.git.object(repo, rest);
  if (!object || object.kind !== type) throw notFound();
  return objectModel(repo, object.kind, object.sha, object.kind === 'Tree' ? { basePath: '' } : {});
}
