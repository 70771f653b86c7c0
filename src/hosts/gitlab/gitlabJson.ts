/**
 * GitLab REST v4 response shapes built from Git facts (`ProjectSchema`, `CommitSchema`, tags,
 * branches, tree entries: research/git-hosts.md §6.5). Pure: URLs come in, JSON values come out.
 */
import type { RepositoryFacts } from '../GitPlumbing.js';
import { stableId } from '../stableId.js';
import type { SimCommit, SimRepository, SimSignature, SimTag, SimTreeEntry } from '../types.js';

/** Access levels (gitbeaker's `AccessLevel`). */
export const REPORTER = 20;
export const MAINTAINER = 40;

/** A group's numeric id, stable for its path. */
export function groupId(path: string): number {
  return stableId('gitlab-group', path);
}

/** The groups a project path lies in, outermost first: `a/b/c` → `a`, `a/b`. */
export function groupsOf(projectPath: string): string[] {
  const parts = projectPath.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** GitLab's commit and tag dates: milliseconds and the original offset (`2025-01-02T10:11:12.000+02:00`). */
export function gitlabDate(signature: SimSignature): string {
  return signature.date.replace(/(T\d{2}:\d{2}:\d{2})([+-]|Z)/, '$1.000$2');
}

/** GitLab's record timestamps (`created_at` of a project): UTC with milliseconds. */
export function gitlabTime(date: Date): string {
  return date.toISOString();
}

export function namespaceJson(groupPath: string, origin: string): Record<string, unknown> {
  const parent = groupsOf(`${groupPath}/x`).slice(0, -1).pop();
  const name = groupPath.split('/').pop() ?? groupPath;
  return {
    id: groupId(groupPath),
    name,
    path: name,
    kind: 'group',
    full_path: groupPath,
    parent_id: parent ? groupId(parent) : null,
    avatar_url: null,
    web_url: `${origin}/groups/${groupPath}`,
  };
}

export function groupJson(groupPath: string, origin: string, visibility: string, createdAt: Date): Record<string, unknown> {
  const namespace = namespaceJson(groupPath, origin);
  return {
    id: namespace.id,
    web_url: namespace.web_url,
    name: namespace.name,
    path: namespace.path,
    description: '',
    visibility,
    share_with_group_lock: false,
    require_two_factor_authentication: false,
    two_factor_grace_period: 48,
    project_creation_level: 'developer',
    auto_devops_enabled: null,
    subgroup_creation_level: 'maintainer',
    emails_disabled: false,
    emails_enabled: true,
    mentions_disabled: null,
    lfs_enabled: true,
    default_branch_protection: 2,
    avatar_url: null,
    request_access_enabled: true,
    full_name: groupPath.split('/').join(' / '),
    full_path: groupPath,
    created_at: gitlabTime(createdAt),
    parent_id: namespace.parent_id,
  };
}

export interface ProjectJsonOptions {
  /** `simple=true`: only `SimpleProjectSchema`'s fields. */
  simple: boolean;
  visibility: 'private' | 'public';
  /** The caller's access level, or undefined for an anonymous caller (then `permissions` holds nulls). */
  accessLevel?: number;
}

/** `ProjectSchema` (or `SimpleProjectSchema`). */
export function projectJson(repo: SimRepository, facts: RepositoryFacts, origin: string, options: ProjectJsonOptions): Record<string, unknown> {
  const parts = repo.path.split('/');
  const path = parts[parts.length - 1] ?? repo.path;
  const groupPath = parts.slice(0, -1).join('/');
  const host = new URL(origin).host;
  const web = `${origin}/${repo.path}`;
  const simple = {
    id: repo.id,
    description: null,
    name: path,
    name_with_namespace: parts.join(' / '),
    path,
    path_with_namespace: repo.path,
    created_at: gitlabTime(facts.createdAt),
    default_branch: facts.empty ? null : facts.defaultBranch,
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@${host}:${repo.path}.git`,
    http_url_to_repo: `${web}.git`,
    web_url: web,
    readme_url: null,
    forks_count: 0,
    avatar_url: null,
    star_count: 0,
    last_activity_at: gitlabTime(facts.pushedAt),
    namespace: namespaceJson(groupPath, origin),
  };
  if (options.simple) return simple;
  const api = `${origin}/api/v4/projects/${repo.id}`;
  return {
    ...simple,
    _links: {
      self: api,
      issues: `${api}/issues`,
      merge_requests: `${api}/merge_requests`,
      repo_branches: `${api}/repository/branches`,
      labels: `${api}/labels`,
      events: `${api}/events`,
      members: `${api}/members`,
      cluster_agents: `${api}/cluster_agents`,
    },
    empty_repo: facts.empty,
    archived: false,
    visibility: options.visibility,
    resolve_outdated_diff_discussions: false,
    container_registry_enabled: false,
    issues_enabled: true,
    merge_requests_enabled: true,
    wiki_enabled: true,
    jobs_enabled: true,
    snippets_enabled: true,
    lfs_enabled: true,
    creator_id: 1,
    import_status: 'none',
    open_issues_count: 0,
    updated_at: gitlabTime(facts.pushedAt),
    permissions: {
      project_access: options.accessLevel === undefined ? null : { access_level: options.accessLevel, notification_level: 3 },
      group_access: null,
    },
  };
}

/** `CommitSchema`. */
export function commitJson(repoPath: string, commit: SimCommit, origin: string): Record<string, unknown> {
  return {
    id: commit.sha,
    short_id: commit.sha.slice(0, 8),
    created_at: gitlabDate(commit.committer),
    parent_ids: commit.parents,
    title: commit.message.split('\n')[0] ?? '',
    message: commit.message,
    author_name: commit.author.name,
    author_email: commit.author.email,
    authored_date: gitlabDate(commit.author),
    committer_name: commit.committer.name,
    committer_email: commit.committer.email,
    committed_date: gitlabDate(commit.committer),
    trailers: {},
    extended_trailers: {},
    web_url: `${origin}/${repoPath}/-/commit/${commit.sha}`,
  };
}

/**
 * A tag: `target` is what the ref names (the tag object for an annotated tag), `commit` the
 * commit it peels to; GitLab exposes no tagger, only `created_at` (the tagger date, null for
 * lightweight tags).
 */
export function tagJson(repoPath: string, tag: SimTag, commit: SimCommit, origin: string): Record<string, unknown> {
  return {
    name: tag.name,
    message: tag.annotation ? tag.annotation.message : null,
    target: tag.sha,
    commit: commitJson(repoPath, commit, origin),
    release: null,
    protected: false,
    created_at: tag.annotation ? gitlabDate(tag.annotation.tagger) : null,
  };
}

export function branchJson(repoPath: string, name: string, commit: SimCommit, origin: string, options: { isDefault: boolean; canPush: boolean }): Record<string, unknown> {
  return {
    name,
    commit: commitJson(repoPath, commit, origin),
    merged: false,
    protected: options.isDefault,
    default: options.isDefault,
    developers_can_push: false,
    developers_can_merge: false,
    can_push: options.canPush,
    web_url: `${origin}/${repoPath}/-/tree/${name}`,
  };
}

/** A repository tree entry; `id` is the blob or tree SHA. */
export function treeEntryJson(entry: SimTreeEntry, path: string): Record<string, unknown> {
  return { id: entry.sha, name: path.split('/').pop() ?? path, type: entry.type, path, mode: entry.mode };
}
