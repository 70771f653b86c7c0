import { createHash } from 'node:crypto';
import type { Router } from 'express';
import { createHostRouter } from '../createHostRouter.js';
import type { RepositoryFacts } from '../GitPlumbing.js';
import { HostError } from '../HostError.js';
import { rawContentType } from '../isText.js';
import type { SimCore } from '../SimCore.js';
import type { SimReply, SimRequest, SimRoute } from '../SimRoute.js';
import type { SimCommit, SimRepository, SimTag } from '../types.js';
import { gitlabDialect } from './gitlabDialect.js';
import { MAINTAINER, REPORTER, branchJson, commitJson, groupId, groupJson, groupsOf, projectJson, tagJson, treeEntryJson } from './gitlabJson.js';

/** Above this many records GitLab leaves out `x-total`, `x-total-pages` and `rel="last"`. */
const COUNT_LIMIT = 10_000;

const notFound = (what: string) => new HostError(404, `404 ${what} Not Found`);
const missing = (param: string) => new HostError(400, `${param} is missing`, { body: { error: `${param} is missing` } });

/**
 * GitLab REST v4 (`/api/v4`) over the served repositories: every repository at least two levels
 * deep is a project, each folder above it a group. Project ids, file paths, refs and tag names
 * must be URL-encoded as single path segments, as on GitLab (an unencoded `/` matches no route).
 */
export function createGitLabRestRouter(core: SimCore): Router {
  return createHostRouter(gitlabDialect(core), gitlabRoutes(core), core);
}

function gitlabRoutes(core: SimCore): SimRoute[] {
  const { git, plumbing } = core;
  const visibility = (): 'private' | 'public' => (core.access.isOpen ? 'public' : 'private');
  const accessLevel = (request: SimRequest): number | undefined => (request.identity.authenticated ? (request.identity.readOnly ? REPORTER : MAINTAINER) : undefined);

  /** The project named by `:id` (numeric id or URL-encoded path), or GitLab's 404. */
  const projectOf = async (request: SimRequest): Promise<SimRepository> => {
    const id = request.params.id ?? '';
    const repo = /^\d+$/.test(id) ? (await request.repos()).find((r) => r.id === Number(id)) : await request.repo(id);
    if (!repo || repo.path.split('/').length < 2) throw notFound('Project');
    return repo;
  };
  /** A ref (`HEAD` = the default branch) as a commit SHA. */
  const commitOf = async (repo: SimRepository, facts: RepositoryFacts, ref: string | null): Promise<string | undefined> => {
    if (facts.empty) return undefined;
    return git.resolveCommit(repo, !ref || ref === 'HEAD' ? facts.defaultBranch : ref);
  };
  const projects = async (request: SimRequest, repos: SimRepository[]): Promise<SimReply> => {
    let list = repos.filter((r) => r.path.split('/').length >= 2);
    const search = request.query.get('search')?.toLowerCase();
    if (search) list = list.filter((r) => r.path.split('/').pop()?.toLowerCase().includes(search));
    const withFacts = await Promise.all(list.map(async (repo) => ({ repo, facts: await plumbing.facts(repo) })));
    const orderBy = request.query.get('order_by') ?? 'path';
    const sort = request.query.get('sort') ?? (orderBy === 'path' || orderBy === 'name' ? 'asc' : 'desc');
    const key = ({ repo, facts }: (typeof withFacts)[number]): number | string =>
      orderBy === 'id'
        ? repo.id
        : orderBy === 'created_at'
          ? facts.createdAt.getTime()
          : orderBy === 'last_activity_at' || orderBy === 'updated_at'
            ? facts.pushedAt.getTime()
            : orderBy === 'name'
              ? (repo.path.split('/').pop() ?? '').toLowerCase()
              : repo.path.toLowerCase();
    withFacts.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const order = ka < kb ? -1 : ka > kb ? 1 : a.repo.id - b.repo.id;
      return sort === 'asc' ? order : -order;
    });
    const simple = request.query.get('simple') === 'true';
    const render = ({ repo, facts }: (typeof withFacts)[number]) =>
      projectJson(repo, facts, request.origin, { simple, visibility: visibility(), ...withAccess(accessLevel(request)) });

    if (request.query.get('pagination') === 'keyset') {
      if (orderBy !== 'id') throw new HostError(405, '405 Method Not Allowed', { body: { message: 'Keyset pagination is not yet available for this type of request' } });
      const after = Number(request.query.get('id_after') ?? Number.NaN);
      const before = Number(request.query.get('id_before') ?? Number.NaN);
      const rest = withFacts.filter(({ repo }) => (Number.isNaN(after) || (sort === 'asc' ? repo.id > after : repo.id < after)) && (Number.isNaN(before) || repo.id < before));
      const perPage = perPageOf(request);
      const items = rest.slice(0, perPage);
      const headers: Record<string, string> = {};
      const last = items[items.length - 1];
      if (rest.length > perPage && last) {
        const query = new URLSearchParams(request.query);
        query.delete('page');
        query.set('id_after', String(last.repo.id));
        headers.link = `<${request.apiUrl}${request.path}?${query.toString()}>; rel="next"`;
      }
      return { status: 200, json: items.map(render), headers };
    }
    const page = offsetPage(request, withFacts);
    return { status: 200, json: page.items.map(render), headers: page.headers };
  };

  /** Groups by lower-cased full path → their path as first spelt on disk. */
  const allGroups = async (request: SimRequest): Promise<Map<string, string>> => {
    const groups = new Map<string, string>();
    for (const repo of await request.all()) {
      if (repo.path.split('/').length < 2) continue;
      for (const group of groupsOf(repo.path)) if (!groups.has(group.toLowerCase())) groups.set(group.toLowerCase(), group);
    }
    return groups;
  };
  /** The group named by `:group_id` that holds at least one project the caller can see, or GitLab's 404. */
  const groupOf = async (request: SimRequest): Promise<string> => {
    const wanted = request.params.group_id ?? '';
    const groups = await allGroups(request);
    const path = /^\d+$/.test(wanted) ? [...groups.values()].find((g) => groupId(g) === Number(wanted)) : groups.get(wanted.toLowerCase());
    const visible = path !== undefined && (await request.repos()).some((r) => r.path.toLowerCase().startsWith(`${path.toLowerCase()}/`));
    if (!path || !visible) throw notFound('Group');
    return path;
  };
  const commitsById = async (repo: SimRepository, shas: string[]): Promise<Map<string, SimCommit>> => {
    const unique = [...new Set(shas)];
    const commits = await Promise.all(unique.map((sha) => git.commit(repo, sha)));
    return new Map(commits.filter((c): c is SimCommit => c !== undefined).map((c) => [c.sha, c]));
  };

  return [
    {
      method: 'GET',
      pattern: '/user',
      handle: async (request) => {
        if (!request.identity.authenticated) throw new HostError(401, '401 Unauthorized');
        const username = request.identity.name;
        return {
          status: 200,
          json: { id: groupId(`user:${username}`), username, name: username, state: 'active', locked: false, avatar_url: null, web_url: `${request.origin}/${username}` },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/projects',
      handle: async (request) => projects(request, await request.repos()),
    },
    {
      method: 'GET',
      pattern: '/projects/{id}',
      handle: async (request) => {
        const repo = await projectOf(request);
        const facts = await plumbing.facts(repo);
        return { status: 200, json: projectJson(repo, facts, request.origin, { simple: false, visibility: visibility(), ...withAccess(accessLevel(request)) }) };
      },
    },
    {
      method: 'GET',
      pattern: '/groups/{group_id}',
      name: 'GET /groups/{id}',
      handle: async (request) => {
        const group = await groupOf(request);
        const inside = (await request.all()).filter((r) => r.path.toLowerCase().startsWith(`${group.toLowerCase()}/`));
        const created = (await Promise.all(inside.map((r) => plumbing.facts(r)))).reduce((min, f) => Math.min(min, f.createdAt.getTime()), Date.now());
        return { status: 200, json: groupJson(group, request.origin, visibility(), new Date(created)) };
      },
    },
    {
      method: 'GET',
      pattern: '/groups/{group_id}/projects',
      name: 'GET /groups/{id}/projects',
      handle: async (request) => {
        const group = (await groupOf(request)).toLowerCase();
        const subgroups = request.query.get('include_subgroups') === 'true';
        const inGroup = (repo: SimRepository) => {
          const path = repo.path.toLowerCase();
          if (!path.startsWith(`${group}/`)) return false;
          return subgroups || !path.slice(group.length + 1).includes('/');
        };
        return projects(request, (await request.repos()).filter(inGroup));
      },
    },
    {
      method: 'GET',
      pattern: '/projects/{id}/repository/tree',
      handle: async (request) => {
        const repo = await projectOf(request);
        const facts = await plumbing.facts(repo);
        const commit = await commitOf(repo, facts, request.query.get('ref'));
        if (!commit) throw notFound('Tree');
        const dir = (request.query.get('path') ?? '').replace(/^\/+|\/+$/g, '');
        let treeSha = commit;
        if (dir !== '') {
          const entry = await git.entryAt(repo, commit, dir);
          if (entry?.type !== 'tree') throw notFound('Tree');
          treeSha = entry.sha;
        }
        const tree = await git.tree(repo, treeSha, request.query.get('recursive') === 'true');
        if (!tree) throw notFound('Tree');
        const entries = tree.entries.map((entry) => treeEntryJson(entry, dir ? `${dir}/${entry.path}` : entry.path));
        if (request.query.get('pagination') !== 'keyset') {
          const page = offsetPage(request, entries);
          return { status: 200, json: page.items, headers: page.headers };
        }
        // Keyset (GitLab 17.1+): `page_token` names the last entry of the previous page; only `Link: rel="next"`.
        const token = request.query.get('page_token');
        const start = token ? entries.findIndex((e) => e.path === token) + 1 : 0;
        if (token && start === 0) throw new HostError(400, `400 Bad request - page_token ${token} is invalid`, { body: { error: `page_token ${token} is invalid` } });
        const perPage = perPageOf(request);
        const items = entries.slice(start, start + perPage);
        const headers: Record<string, string> = {};
        const last = items[items.length - 1];
        if (start + perPage < entries.length && last) {
          const query = new URLSearchParams(request.query);
          query.set('page_token', String(last.path));
          headers.link = `<${request.apiUrl}${request.path}?${query.toString()}>; rel="next"`;
        }
        return { status: 200, json: items, headers };
      },
    },
    {
      method: 'GET',
      pattern: '/projects/{id}/repository/files/{file_path}/raw',
      handle: async (request) => {
        const file = await fileOf(request, false);
        return { status: 200, raw: file.content, contentType: rawContentType(file.content), headers: file.headers };
      },
    },
    {
      method: 'GET',
      pattern: '/projects/{id}/repository/files/{file_path}',
      handle: async (request) => {
        const file = await fileOf(request, true);
        return {
          status: 200,
          headers: file.headers,
          json: {
            file_name: file.path.split('/').pop() ?? file.path,
            file_path: file.path,
            size: file.content.length,
            encoding: 'base64',
            content_sha256: file.sha256,
            ref: file.ref,
            blob_id: file.blobId,
            commit_id: file.commit,
            last_commit_id: file.lastCommit,
            execute_filemode: file.executable,
            content: file.content.toString('base64'),
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/projects/{id}/repository/blobs/{sha}/raw',
      handle: async (request) => {
        const repo = await projectOf(request);
        const blob = await git.blob(repo, request.params.sha ?? '');
        if (!blob) throw notFound('Blob');
        return { status: 200, raw: blob.content, contentType: rawContentType(blob.content) };
      },
    },
    {
      method: 'GET',
      pattern: '/projects/{id}/repository/tags',
      handle: async (request) => {
        const repo = await projectOf(request);
        let tags = await git.tags(repo);
        const search = request.query.get('search');
        if (search) {
          tags = tags.filter((t) =>
            search.startsWith('^') ? t.name.startsWith(search.slice(1)) : search.endsWith('$') ? t.name.endsWith(search.slice(0, -1)) : t.name.includes(search),
          );
        }
        const commits = await commitsById(
          repo,
          tags.map((t) => t.commit),
        );
        const orderBy = request.query.get('order_by') ?? 'updated';
        const sort = request.query.get('sort') ?? 'desc';
        const byName = (a: SimTag, b: SimTag) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
        const compare =
          orderBy === 'name'
            ? byName
            : orderBy === 'version'
              ? (a: SimTag, b: SimTag) => a.name.localeCompare(b.name, 'en', { numeric: true }) || byName(a, b)
              : (a: SimTag, b: SimTag) => (commits.get(a.commit)?.committer.timestamp ?? 0) - (commits.get(b.commit)?.committer.timestamp ?? 0) || byName(a, b);
        tags.sort((a, b) => (sort === 'asc' ? compare(a, b) : compare(b, a)));
        const page = offsetPage(request, tags);
        return {
          status: 200,
          headers: page.headers,
          json: page.items.flatMap((tag) => {
            const commit = commits.get(tag.commit);
            return commit ? [tagJson(repo.path, tag, commit, request.origin)] : [];
          }),
        };
      },
    },
    {
      method: 'GET',
      pattern: '/projects/{id}/repository/tags/{tag_name}',
      handle: async (request) => {
        const repo = await projectOf(request);
        const tag = (await git.tags(repo)).find((t) => t.name === request.params.tag_name);
        const commit = tag && (await git.commit(repo, tag.commit));
        if (!tag || !commit) throw notFound('Tag');
        return { status: 200, json: tagJson(repo.path, tag, commit, request.origin) };
      },
    },
    {
      method: 'POST',
      pattern: '/projects/{id}/repository/tags',
      write: true,
      handle: async (request) => {
        const repo = await projectOf(request);
        // Grape merges query and body parameters: gitbeaker sends tag_name and ref in the query, message in the body.
        const { tag_name: name, ref, message } = request.body;
        if (typeof name !== 'string' || name === '') throw missing('tag_name');
        if (typeof ref !== 'string' || ref === '') throw missing('ref');
        if ((await git.tags(repo)).some((t) => t.name === name)) throw new HostError(400, `Tag ${name} already exists`);
        const target = await git.resolveCommit(repo, ref);
        if (!target) throw new HostError(400, `Target ${ref} is invalid`);
        const username = request.identity.name;
        let tag: SimTag;
        try {
          tag = await git.createTag(repo, {
            name,
            target,
            ...(typeof message === 'string' && message !== '' ? { message, tagger: { name: username, email: `${username}@users.noreply.simulator.invalid` } } : {}),
          });
        } catch {
          throw new HostError(400, 'Tag name invalid');
        }
        const commit = await git.commit(repo, tag.commit);
        if (!commit) throw new Error(`the commit ${tag.commit} of the new tag ${name} in ${repo.path} cannot be read`);
        core.tagCreated({ repo, tagName: name, identity: request.identity });
        return { status: 201, json: tagJson(repo.path, tag, commit, request.origin) };
      },
    },
    {
      method: 'DELETE',
      pattern: '/projects/{id}/repository/tags/{tag_name}',
      write: true,
      handle: async (request) => {
        const repo = await projectOf(request);
        const name = request.params.tag_name ?? '';
        const sha = name === '' ? undefined : await plumbing.deleteRef(repo, `refs/tags/${name}`);
        if (!sha) throw notFound('Tag');
        core.tagDeleted({ repo, tagName: name, sha, identity: request.identity });
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      pattern: '/projects/{id}/repository/commits/{sha}',
      handle: async (request) => {
        const repo = await projectOf(request);
        const sha = await git.resolveCommit(repo, request.params.sha ?? '');
        const commit = sha && (await git.commit(repo, sha));
        if (!commit) throw notFound('Commit');
        return { status: 200, json: commitJson(repo.path, commit, request.origin) };
      },
    },
    {
      method: 'GET',
      pattern: '/projects/{id}/repository/branches/{branch}',
      handle: async (request) => {
        const repo = await projectOf(request);
        const name = request.params.branch ?? '';
        const branch = (await git.branches(repo)).find((b) => b.name === name);
        const commit = branch && (await git.commit(repo, branch.commit));
        if (!branch || !commit) throw notFound('Branch');
        const facts = await plumbing.facts(repo);
        return { status: 200, json: branchJson(repo.path, name, commit, request.origin, { isDefault: facts.defaultBranch === name, canPush: !request.identity.readOnly }) };
      },
    },
  ];

  /** The file `:file_path` at `ref`, with GitLab's `X-Gitlab-*` headers (sent on GET and HEAD). */
  async function fileOf(request: SimRequest, refRequired: boolean) {
    const repo = await projectOf(request);
    const ref = request.query.get('ref');
    if (refRequired && !ref) throw missing('ref');
    const facts = await plumbing.facts(repo);
    const commit = await commitOf(repo, facts, ref);
    if (!commit) throw notFound('Commit');
    const path = (request.params.file_path ?? '').replace(/^\/+/, '');
    const entry = path === '' ? undefined : await git.entryAt(repo, commit, path);
    const blob = entry?.type === 'blob' ? await git.blob(repo, entry.sha) : undefined;
    if (!entry || !blob) throw notFound('File');
    const lastCommit = (await plumbing.lastCommitTouching(repo, commit, path)) ?? commit;
    const sha256 = createHash('sha256').update(blob.content).digest('hex');
    const shownRef = ref ?? facts.defaultBranch;
    const executable = entry.mode === '100755';
    return {
      path,
      content: blob.content,
      blobId: blob.sha,
      commit,
      lastCommit,
      sha256,
      ref: shownRef,
      executable,
      headers: {
        'X-Gitlab-Blob-Id': blob.sha,
        'X-Gitlab-Commit-Id': commit,
        'X-Gitlab-Content-Sha256': sha256,
        'X-Gitlab-Encoding': 'base64',
        'X-Gitlab-Execute-Filemode': String(executable),
        'X-Gitlab-File-Name': encodeURIComponent(path.split('/').pop() ?? path),
        'X-Gitlab-File-Path': encodeURIComponent(path),
        'X-Gitlab-Last-Commit-Id': lastCommit,
        'X-Gitlab-Ref': encodeURIComponent(shownRef),
        'X-Gitlab-Size': String(blob.content.length),
      },
    };
  }
}

function withAccess(level: number | undefined): { accessLevel?: number } {
  return level === undefined ? {} : { accessLevel: level };
}

function perPageOf(request: SimRequest): number {
  return Math.min(100, Math.max(1, Number.parseInt(request.query.get('per_page') ?? '', 10) || 20));
}

/** GitLab's offset pagination: `x-*` headers and a `Link` with prev/next/first/last (no totals above 10,000 records). */
function offsetPage<T>(request: SimRequest, items: T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = perPageOf(request);
  const page = Math.max(1, Number.parseInt(request.query.get('page') ?? '', 10) || 1);
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const counted = items.length <= COUNT_LIMIT;
  const url = (n: number) => {
    const query = new URLSearchParams(request.query);
    query.set('page', String(n));
    query.set('per_page', String(perPage));
    return `${request.apiUrl}${request.path}?${query.toString()}`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`<${url(Math.min(page - 1, totalPages))}>; rel="prev"`);
  if (page < totalPages) links.push(`<${url(page + 1)}>; rel="next"`);
  links.push(`<${url(1)}>; rel="first"`);
  if (counted) links.push(`<${url(totalPages)}>; rel="last"`);
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      ...(counted ? { 'x-total': String(items.length), 'x-total-pages': String(totalPages) } : {}),
      link: links.join(', '),
    },
  };
}
