import type { Router } from 'express';
import { createHostRouter } from '../createHostRouter.js';
import { rawContentType } from '../isText.js';
import { gitDate } from '../GitPlumbing.js';
import type { RepositoryFacts } from '../GitPlumbing.js';
import { HostError } from '../HostError.js';
import type { SimCore } from '../SimCore.js';
import type { SimReply, SimRequest, SimRoute } from '../SimRoute.js';
import type { SimRepository, SimTreeEntry } from '../types.js';
import { githubDialect } from './githubDialect.js';
import {
  base64Lines,
  blobJson,
  commitJson,
  contentItemJson,
  encodePath,
  gitCommitJson,
  gitTagJson,
  refJson,
  repoJson,
  loginOf,
  treeEntryJson,
  userJson,
} from './githubJson.js';
import type { GitHubUrls } from './githubJson.js';

/** The contents API refuses JSON for files above this size (403 `too_large`); raw still works. */
const CONTENTS_JSON_LIMIT = 1024 * 1024;

const D = {
  repos: 'https://docs.github.com/rest/repos/repos',
  branch: 'https://docs.github.com/rest/branches/branches#get-a-branch',
  tree: 'https://docs.github.com/rest/git/trees#get-a-tree',
  contents: 'https://docs.github.com/rest/repos/contents#get-repository-content',
  blob: 'https://docs.github.com/rest/git/blobs#get-a-blob',
  refs: 'https://docs.github.com/rest/git/refs',
  tags: 'https://docs.github.com/rest/git/tags',
  gitCommit: 'https://docs.github.com/rest/git/commits#get-a-commit-object',
  commit: 'https://docs.github.com/rest/commits/commits#get-a-commit',
  listTags: 'https://docs.github.com/rest/repos/repos#list-repository-tags',
  rateLimit: 'https://docs.github.com/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user',
  user: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
};

/**
 * GitHub REST v3 (`/api/v3`, as GitHub Enterprise Server lays it out) over the served
 * repositories: the endpoints the gateway uses, with GitHub's fields, media types, pagination
 * and errors (research/git-hosts.md §1.1 and §6). Repositories are the two-level paths
 * (`owner/name`); deeper ones exist only on the GitLab face.
 */
export function createGitHubRestRouter(core: SimCore): Router {
  return createHostRouter(githubDialect(core), githubRoutes(core), core);
}

function githubRoutes(core: SimCore): SimRoute[] {
  const { git, plumbing } = core;
  const urls = (request: SimRequest): GitHubUrls => ({ api: request.apiUrl, web: request.origin });

  /** The repository in the path, or GitHub's 404 (missing and invisible look the same). */
  const repoOf = async (request: SimRequest): Promise<SimRepository> => {
    const repo = await request.repo(`${request.params.owner}/${request.params.repo}`);
    if (!repo || repo.path.split('/').length !== 2) throw new HostError(404, 'Not Found');
    return repo;
  };
  /** Its facts, or 409 for an empty repository (GitHub's answer for trees and commits). */
  const nonEmpty = async (repo: SimRepository): Promise<RepositoryFacts> => {
    const facts = await plumbing.facts(repo);
    if (facts.empty) throw new HostError(409, 'Git Repository is empty.');
    return facts;
  };
  const repoReply = async (request: SimRequest, repo: SimRepository): Promise<Record<string, unknown>> => {
    const facts = await plumbing.facts(repo);
    const readOnly = request.identity.readOnly;
    return repoJson(repo, facts, urls(request), {
      private: !core.access.isOpen,
      ...(request.identity.authenticated ? { permissions: { admin: false, maintain: !readOnly, push: !readOnly, triage: !readOnly, pull: true } } : {}),
    });
  };
  const listRepos = async (request: SimRequest, repos: SimRepository[], defaultSort: 'full_name' | 'created'): Promise<SimReply> => {
    const withFacts = await Promise.all(repos.filter((r) => r.path.split('/').length === 2).map(async (repo) => ({ repo, facts: await plumbing.facts(repo) })));
    const sort = request.query.get('sort') ?? defaultSort;
    const direction = request.query.get('direction') ?? (sort === 'full_name' ? 'asc' : 'desc');
    const key = (item: (typeof withFacts)[number]): number | string =>
      sort === 'created' ? item.facts.createdAt.getTime() : sort === 'updated' || sort === 'pushed' ? item.facts.pushedAt.getTime() : item.repo.path.toLowerCase();
    withFacts.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const order = ka < kb ? -1 : ka > kb ? 1 : a.repo.path.toLowerCase() < b.repo.path.toLowerCase() ? -1 : 1;
      return direction === 'asc' ? order : -order;
    });
    const page = paginate(request, withFacts);
    const json = await Promise.all(page.items.map(({ repo }) => repoReply(request, repo)));
    return { status: 200, json, headers: page.headers };
  };
  const ownerRepos = async (request: SimRequest, owner: string, defaultSort: 'full_name' | 'created'): Promise<SimReply> => {
    const all = await request.all();
    const owned = (repo: SimRepository) => repo.path.split('/').length === 2 && repo.path.split('/')[0]?.toLowerCase() === owner.toLowerCase();
    if (!all.some(owned)) throw new HostError(404, 'Not Found');
    return listRepos(request, (await request.repos()).filter(owned), defaultSort);
  };
  const requireUser = (request: SimRequest): void => {
    if (!request.identity.authenticated) throw new HostError(401, 'Requires authentication');
  };

  return [
    {
      method: 'GET',
      pattern: '/rate_limit',
      free: true,
      docs: D.rateLimit,
      handle: async (request) => {
        const window = core.settings.windowSeconds.github;
        const state = (resource: string, limit: number, windowSeconds: number) => {
          const { limit: l, remaining, reset, used } = core.limiter.peek(`github:${resource}:${request.identity.key}`, limit, windowSeconds);
          return { limit: l, remaining, reset, used };
        };
        const coreState = state('core', request.identity.budget, window);
        return {
          status: 200,
          json: {
            resources: {
              core: coreState,
              graphql: state('graphql', request.identity.budget, window),
              search: state('search', 30, 60),
              integration_manifest: state('integration_manifest', 5000, window),
            },
            rate: coreState,
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/user',
      docs: D.user,
      handle: async (request) => {
        requireUser(request);
        return { status: 200, json: { ...userJson(loginOf(request.identity.name), urls(request), 'User'), name: request.identity.name, email: null } };
      },
    },
    {
      method: 'GET',
      pattern: '/user/repos',
      docs: `${D.repos}#list-repositories-for-the-authenticated-user`,
      handle: async (request) => {
        requireUser(request);
        return listRepos(request, await request.repos(), 'full_name');
      },
    },
    {
      method: 'GET',
      pattern: '/orgs/{org}/repos',
      docs: `${D.repos}#list-organization-repositories`,
      handle: (request) => ownerRepos(request, request.params.org ?? '', 'created'),
    },
    {
      method: 'GET',
      pattern: '/users/{username}/repos',
      docs: `${D.repos}#list-repositories-for-a-user`,
      handle: (request) => ownerRepos(request, request.params.username ?? '', 'full_name'),
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}',
      docs: `${D.repos}#get-a-repository`,
      handle: async (request) => ({ status: 200, json: await repoReply(request, await repoOf(request)) }),
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/branches/{branch+}',
      name: 'GET /repos/{owner}/{repo}/branches/{branch}',
      docs: D.branch,
      handle: async (request) => {
        const repo = await repoOf(request);
        const name = request.params.branch ?? '';
        const branch = (await git.branches(repo)).find((b) => b.name === name);
        const commit = branch && (await git.commit(repo, branch.commit));
        if (!branch || !commit) throw new HostError(404, 'Branch not found');
        const api = `${request.apiUrl}/repos/${repo.path}/branches/${encodeURIComponent(name)}`;
        return {
          status: 200,
          json: {
            name,
            commit: commitJson(repo.path, commit, urls(request)),
            _links: { self: api, html: `${request.origin}/${repo.path}/tree/${encodePath(name)}` },
            protected: false,
            protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
            protection_url: `${api}/protection`,
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/git/trees/{tree_sha+}',
      name: 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
      docs: D.tree,
      handle: async (request) => {
        const repo = await repoOf(request);
        await nonEmpty(repo);
        // GitHub recurses for any value of `recursive`, even 0 or false; only its absence means flat.
        const tree = await git.tree(repo, request.params.tree_sha ?? '', request.query.has('recursive'));
        if (!tree) throw new HostError(404, 'Not Found');
        let entries = tree.entries;
        let truncated = false;
        if (entries.length > core.settings.treeEntryLimit) {
          entries = entries.slice(0, core.settings.treeEntryLimit);
          truncated = true;
        }
        if (request.fault === 'truncated-tree') {
          entries = entries.slice(0, Math.ceil(entries.length / 2));
          truncated = true;
        }
        return {
          status: 200,
          json: {
            sha: tree.sha,
            url: `${request.apiUrl}/repos/${repo.path}/git/trees/${tree.sha}`,
            tree: entries.map((entry) => treeEntryJson(repo.path, entry, urls(request))),
            truncated,
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/contents',
      name: 'GET /repos/{owner}/{repo}/contents/{path}',
      docs: D.contents,
      handle: (request) => contents(request, ''),
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/contents/{path+}',
      name: 'GET /repos/{owner}/{repo}/contents/{path}',
      docs: D.contents,
      handle: (request) => contents(request, request.params.path ?? ''),
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/git/blobs/{file_sha}',
      docs: D.blob,
      handle: async (request) => {
        const repo = await repoOf(request);
        const blob = await git.blob(repo, request.params.file_sha ?? '');
        if (!blob) throw new HostError(404, 'Not Found');
        if (mediaFormat(request) === 'raw') return rawReply(blob.content);
        return { status: 200, json: blobJson(repo.path, blob.sha, blob.content, urls(request)) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/git/matching-refs/{ref+}',
      name: 'GET /repos/{owner}/{repo}/git/matching-refs/{ref}',
      docs: `${D.refs}#list-matching-references`,
      handle: async (request) => {
        const repo = await repoOf(request);
        const prefix = `refs/${(request.params.ref ?? '').replace(/^refs\//, '')}`;
        const refs = await allRefs(repo, prefix);
        return { status: 200, json: refs.filter((r) => r.ref.startsWith(prefix)).map((r) => refJson(repo.path, r.ref, r.sha, r.type, urls(request))) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/git/ref/{ref+}',
      name: 'GET /repos/{owner}/{repo}/git/ref/{ref}',
      docs: `${D.refs}#get-a-reference`,
      handle: async (request) => {
        const repo = await repoOf(request);
        const wanted = `refs/${(request.params.ref ?? '').replace(/^refs\//, '')}`;
        const found = (await allRefs(repo, wanted)).find((r) => r.ref === wanted);
        if (!found) throw new HostError(404, 'Not Found');
        return { status: 200, json: refJson(repo.path, found.ref, found.sha, found.type, urls(request)) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/git/tags/{tag_sha}',
      docs: `${D.tags}#get-a-tag`,
      handle: async (request) => {
        const repo = await repoOf(request);
        const tag = /^[0-9a-f]{40}$/i.test(request.params.tag_sha ?? '') ? await git.tagObject(repo, request.params.tag_sha ?? '') : undefined;
        if (!tag) throw new HostError(404, 'Not Found');
        return { status: 200, json: gitTagJson(repo.path, tag, urls(request)) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
      docs: D.gitCommit,
      handle: async (request) => {
        const repo = await repoOf(request);
        const commit = /^[0-9a-f]{4,40}$/i.test(request.params.commit_sha ?? '') ? await git.commit(repo, request.params.commit_sha ?? '') : undefined;
        if (!commit) throw new HostError(404, 'Not Found');
        return { status: 200, json: gitCommitJson(repo.path, commit, urls(request)) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/commits/{ref+}',
      name: 'GET /repos/{owner}/{repo}/commits/{ref}',
      docs: D.commit,
      handle: async (request) => {
        const repo = await repoOf(request);
        await nonEmpty(repo);
        const ref = request.params.ref ?? '';
        const sha = await git.resolveCommit(repo, ref);
        const commit = sha && (await git.commit(repo, sha));
        if (!commit) throw new HostError(422, `No commit found for SHA: ${ref}`);
        // The cheap "did it move" check: the bare SHA, with the SHA itself as the ETag.
        if (mediaFormat(request) === 'sha') return { status: 200, raw: commit.sha, contentType: 'application/vnd.github.sha; charset=utf-8', etag: `"${commit.sha}"` };
        return { status: 200, json: commitJson(repo.path, commit, urls(request)) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/tags',
      docs: D.listTags,
      handle: async (request) => {
        const repo = await repoOf(request);
        const tags = (await git.tags(repo)).sort((a, b) => b.name.localeCompare(a.name, 'en', { numeric: true }));
        const page = paginate(request, tags);
        const api = `${request.apiUrl}/repos/${repo.path}`;
        return {
          status: 200,
          headers: page.headers,
          json: page.items.map((tag) => ({
            name: tag.name,
            commit: { sha: tag.commit, url: `${api}/commits/${tag.commit}` },
            zipball_url: `${api}/zipball/refs/tags/${encodeURIComponent(tag.name)}`,
            tarball_url: `${api}/tarball/refs/tags/${encodeURIComponent(tag.name)}`,
            node_id: Buffer.from(`03:Ref${repo.id}:refs/tags/${tag.name}`).toString('base64'),
          })),
        };
      },
    },
    {
      method: 'POST',
      pattern: '/repos/{owner}/{repo}/git/tags',
      write: true,
      docs: `${D.tags}#create-a-tag-object`,
      handle: async (request) => {
        const repo = await repoOf(request);
        const body = request.body;
        for (const field of ['tag', 'message', 'object', 'type'] as const) {
          if (typeof body[field] !== 'string') throw new HostError(422, `Invalid request.\n\n"${field}" wasn't supplied.`);
        }
        const type = body.type as string;
        if (!['commit', 'tree', 'blob'].includes(type)) throw new HostError(422, `Invalid request.\n\n${JSON.stringify(type)} is not a member of ["commit", "tree", "blob"].`);
        const object = (body.object as string).toLowerCase();
        if ((await plumbing.objectType(repo, object)) !== type) throw new HostError(422, 'Object does not exist');
        const given = (body.tagger ?? {}) as { name?: unknown; email?: unknown; date?: unknown };
        const tagger = {
          name: typeof given.name === 'string' ? given.name : request.identity.name,
          email: typeof given.email === 'string' ? given.email : `${loginOf(request.identity.name)}@users.noreply.simulator.invalid`,
          ...(typeof given.date === 'string' ? { date: given.date } : {}),
        };
        try {
          gitDate(tagger.date);
        } catch {
          throw new HostError(422, `Invalid request.\n\n${JSON.stringify(tagger.date)} is not a valid date-time.`);
        }
        const sha = await plumbing.writeTagObject(repo, { object, type: type as 'commit', tag: body.tag as string, tagger, message: body.message as string });
        const tag = await git.tagObject(repo, sha);
        if (!tag) throw new Error(`the tag object ${sha} just written to ${repo.path} cannot be read back`);
        return {
          status: 201,
          json: gitTagJson(repo.path, tag, urls(request)),
          headers: { location: `${request.apiUrl}/repos/${repo.path}/git/tags/${sha}` },
        };
      },
    },
    {
      method: 'POST',
      pattern: '/repos/{owner}/{repo}/git/refs',
      write: true,
      docs: `${D.refs}#create-a-reference`,
      handle: async (request) => {
        const repo = await repoOf(request);
        const { ref, sha } = request.body;
        if (typeof ref !== 'string') throw new HostError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
        if (typeof sha !== 'string') throw new HostError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
        if (!ref.startsWith('refs/') || ref.split('/').length < 3) throw new HostError(422, "Reference name must start with 'refs/' and have at least two slashes.");
        const type = await plumbing.objectType(repo, sha.toLowerCase());
        if (!type) throw new HostError(422, 'Object does not exist');
        if (ref.startsWith('refs/heads/') && type !== 'commit') throw new HostError(422, 'Object does not exist');
        if (await plumbing.refExists(repo, ref)) throw new HostError(422, 'Reference already exists');
        try {
          await plumbing.createRef(repo, ref, sha.toLowerCase());
        } catch {
          throw new HostError(422, 'Reference name is not valid');
        }
        if (ref.startsWith('refs/tags/')) core.tagCreated({ repo, tagName: ref.slice('refs/tags/'.length), identity: request.identity });
        return {
          status: 201,
          json: refJson(repo.path, ref, sha.toLowerCase(), type === 'tag' ? 'tag' : 'commit', urls(request)),
          headers: { location: `${request.apiUrl}/repos/${repo.path}/git/${ref.split('/').map(encodeURIComponent).join('/')}` },
        };
      },
    },
    {
      method: 'DELETE',
      pattern: '/repos/{owner}/{repo}/git/refs/{ref+}',
      name: 'DELETE /repos/{owner}/{repo}/git/refs/{ref}',
      write: true,
      docs: `${D.refs}#delete-a-reference`,
      handle: async (request) => {
        const repo = await repoOf(request);
        // `tags/x` or `heads/x`, as octokit sends it (`%2F` or `/`); a leading `refs/` is tolerated as on the GET.
        const ref = `refs/${(request.params.ref ?? '').replace(/^refs\//, '')}`;
        const tagName = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
        // The simulator serves branches and tags only; anything else does not exist here.
        if (tagName === undefined && !ref.startsWith('refs/heads/')) throw new HostError(422, 'Reference does not exist');
        if (ref === `refs/heads/${(await plumbing.facts(repo)).defaultBranch}`) throw new HostError(422, 'Cannot delete the default branch');
        const sha = await plumbing.deleteRef(repo, ref);
        if (!sha) throw new HostError(422, 'Reference does not exist');
        // As for creation, only tags have webhooks here.
        if (tagName !== undefined) core.tagDeleted({ repo, tagName, sha, identity: request.identity });
        return { status: 204 };
      },
    },
  ];

  /** Branch and tag refs whose names could start with `prefix`, sorted by ref name. */
  async function allRefs(repo: SimRepository, prefix: string): Promise<{ ref: string; sha: string; type: 'commit' | 'tag' }[]> {
    const could = (space: string) => space.startsWith(prefix) || prefix.startsWith(space);
    const [branches, tags] = await Promise.all([could('refs/heads/') ? git.branches(repo) : [], could('refs/tags/') ? git.tags(repo) : []]);
    return [
      ...branches.map((b) => ({ ref: `refs/heads/${b.name}`, sha: b.commit, type: 'commit' as const })),
      ...tags.map((t) => ({ ref: `refs/tags/${t.name}`, sha: t.sha, type: t.annotation ? ('tag' as const) : ('commit' as const) })),
    ].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }

  /** `GET /repos/{o}/{r}/contents/{path}`: a file (JSON, object or raw), a directory (array), a symlink or a submodule. */
  async function contents(request: SimRequest, rawPath: string): Promise<SimReply> {
    const repo = await repoOf(request);
    const facts = await plumbing.facts(repo);
    if (facts.empty) throw new HostError(404, 'This repository is empty.');
    const ref = request.query.get('ref') || facts.defaultBranch;
    const commit = await git.resolveCommit(repo, ref);
    if (!commit) throw new HostError(404, `No commit found for the ref ${ref}`);
    const path = rawPath.replace(/^\/+|\/+$/g, '');
    const format = mediaFormat(request);
    const u = urls(request);
    const listing = async (treeSha: string, dir: string) => {
      const tree = await git.tree(repo, treeSha, false);
      return (tree?.entries ?? []).map((entry) =>
        contentItemJson(repo.path, { type: itemType(entry, true), path: dir ? `${dir}/${entry.path}` : entry.path, sha: entry.sha, size: entry.size ?? 0 }, ref, u),
      );
    };
    if (path === '') {
      const items = await listing(commit, '');
      return { status: 200, json: format === 'object' ? { ...contentItemJson(repo.path, { type: 'dir', path: '', sha: (await git.commit(repo, commit))?.tree ?? '', size: 0 }, ref, u), entries: items } : items };
    }
    const entry = await git.entryAt(repo, commit, path);
    if (!entry) throw new HostError(404, 'Not Found');
    if (entry.type === 'tree') {
      const items = await listing(entry.sha, path);
      return { status: 200, json: format === 'object' ? { ...contentItemJson(repo.path, { type: 'dir', path, sha: entry.sha, size: 0 }, ref, u), entries: items } : items };
    }
    if (entry.type === 'commit') {
      return { status: 200, json: { ...contentItemJson(repo.path, { type: 'submodule', path, sha: entry.sha, size: 0 }, ref, u), submodule_git_url: '' } };
    }
    const blob = await git.blob(repo, entry.sha);
    if (!blob) throw new HostError(404, 'Not Found');
    if (format === 'raw') return rawReply(blob.content);
    if (entry.mode === '120000') {
      return { status: 200, json: { ...contentItemJson(repo.path, { type: 'symlink', path, sha: blob.sha, size: blob.size }, ref, u), target: blob.content.toString('utf8') } };
    }
    const item = contentItemJson(repo.path, { type: 'file', path, sha: blob.sha, size: blob.size }, ref, u);
    if (blob.size > CONTENTS_JSON_LIMIT) {
      if (format === 'object') return { status: 200, json: { ...item, content: '', encoding: 'none' } };
      throw new HostError(
        403,
        'This API returns blobs up to 1 MB in size. The requested blob is too large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in size.',
        { fields: { errors: [{ resource: 'Blob', field: 'data', code: 'too_large' }] } },
      );
    }
    return { status: 200, json: { ...item, content: base64Lines(blob.content), encoding: 'base64' } };
  }
}

/** A directory listing's type; GitHub lists submodules as `file` there (backwards compatibility). */
function itemType(entry: SimTreeEntry, inListing: boolean): 'file' | 'dir' | 'symlink' | 'submodule' {
  if (entry.type === 'tree') return 'dir';
  if (entry.type === 'commit') return inListing ? 'file' : 'submodule';
  return entry.mode === '120000' ? 'symlink' : 'file';
}

/**
 * The media type asked for: octokit sends `application/vnd.github.v3.raw` for
 * `mediaType: {format: 'raw'}`; GitHub also documents `vnd.github.raw+json`, `.object`, `.sha`.
 */
function mediaFormat(request: SimRequest): 'raw' | 'object' | 'sha' | 'json' {
  const accept = String(request.headers.accept ?? '');
  const match = /application\/vnd\.github(?:\.v3)?\.(raw|object|sha)\b/i.exec(accept);
  return (match?.[1]?.toLowerCase() as 'raw' | 'object' | 'sha' | undefined) ?? 'json';
}

/** Raw file bytes: text as `text/plain; charset=utf-8` (octokit returns a string), anything else as octet-stream. */
function rawReply(content: Buffer): SimReply {
  return { status: 200, raw: content, contentType: rawContentType(content) };
}

/** GitHub's page-number pagination: `per_page` (default 30, at most 100), `page`, and a `Link` header of absolute URLs. */
function paginate<T>(request: SimRequest, items: T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number.parseInt(request.query.get('per_page') ?? '', 10) || 30));
  const page = Math.max(1, Number.parseInt(request.query.get('page') ?? '', 10) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const query = new URLSearchParams(request.query);
    query.set('page', String(n));
    return `<${request.apiUrl}${request.path}?${query.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return { items: items.slice((page - 1) * perPage, page * perPage), headers: links.length > 0 ? { link: links.join(', ') } : {} };
}
