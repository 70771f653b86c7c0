/**
 * GitHub REST response shapes built from Git facts, with the fields and types of GitHub's
 * OpenAPI description (`full-repository`, `git-tree`, `content-file`, …). Pure: URLs come
 * in, JSON values come out.
 */
import type { RepositoryFacts } from '../GitPlumbing.js';
import { stableId } from '../stableId.js';
import type { SimCommit, SimRepository, SimSignature, SimTag, SimTreeEntry } from '../types.js';

/** Where the simulated GitHub lives: `api` = `${origin}/api/v3`, `web` = the origin (GHES layout). */
export interface GitHubUrls {
  api: string;
  web: string;
}

export const UNSIGNED = { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null } as const;

/** A legacy-style global node id (`base64("010:Repository42")`), stable for a kind and key. */
export function nodeId(kind: string, key: string | number): string {
  return Buffer.from(`${String(kind.length).padStart(3, '0')}:${kind}${key}`).toString('base64');
}

/** GitHub's timestamps: UTC, seconds, `Z`. */
export function githubDate(signature: Pick<SimSignature, 'timestamp'> | Date): string {
  const millis = signature instanceof Date ? signature.getTime() : signature.timestamp * 1000;
  return new Date(millis).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Base64 wrapped at 60 columns with a final newline, as GitHub sends file and blob content. */
export function base64Lines(content: Buffer): string {
  const flat = content.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += 60) lines.push(flat.slice(i, i + 60));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Each segment percent-encoded, slashes kept: `models/dvc.yaml`, `a%23b/c`. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** A login made of a token name (GitHub logins are alphanumerics and hyphens). */
export function loginOf(name: string): string {
  return name.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'user';
}

/** `simple-user` for an owner or a token's user. */
export function userJson(login: string, urls: GitHubUrls, type: 'User' | 'Organization'): Record<string, unknown> {
  const id = stableId(`github-${type}`, login);
  const api = `${urls.api}/users/${login}`;
  return {
    login,
    id,
    node_id: nodeId(type, id),
    avatar_url: `${urls.web}/avatars/u/${id}`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type,
    site_admin: false,
    user_view_type: 'public',
  };
}

export interface RepoJsonOptions {
  /** `permissions` for an authenticated caller; omitted for anonymous ones, as GitHub does. */
  permissions?: { admin: boolean; maintain: boolean; push: boolean; triage: boolean; pull: boolean };
  private: boolean;
}

/** `full-repository` (also a valid `minimal-repository` list item). `repo.path` must be `owner/name`. */
export function repoJson(repo: SimRepository, facts: RepositoryFacts, urls: GitHubUrls, options: RepoJsonOptions): Record<string, unknown> {
  const [owner = '', name = ''] = repo.path.split('/');
  const full = repo.path;
  const api = `${urls.api}/repos/${full}`;
  const host = new URL(urls.web).host;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name,
    full_name: full,
    owner: userJson(owner, urls, 'Organization'),
    private: options.private,
    html_url: `${urls.web}/${full}`,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${host}/${full}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${host}:${full}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${urls.web}/${full}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: `${urls.web}/${full}`,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: facts.defaultBranch,
    open_issues_count: 0,
    open_issues: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: options.private ? 'private' : 'public',
    pushed_at: githubDate(facts.pushedAt),
    created_at: githubDate(facts.createdAt),
    updated_at: githubDate(facts.pushedAt),
    ...(options.permissions ? { permissions: options.permissions } : {}),
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
    network_count: 0,
    subscribers_count: 0,
  };
}

function gitUser(signature: SimSignature): { name: string; email: string; date: string } {
  return { name: signature.name, email: signature.email, date: githubDate(signature) };
}

/** `git-commit` (`GET /repos/{o}/{r}/git/commits/{sha}`). */
export function gitCommitJson(full: string, commit: SimCommit, urls: GitHubUrls): Record<string, unknown> {
  const api = `${urls.api}/repos/${full}`;
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', commit.sha),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${urls.web}/${full}/commit/${commit.sha}`,
    author: gitUser(commit.author),
    committer: gitUser(commit.committer),
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((sha) => ({ sha, url: `${api}/git/commits/${sha}`, html_url: `${urls.web}/${full}/commit/${sha}` })),
    verification: { ...UNSIGNED },
  };
}

/** `commit` (`GET /repos/{o}/{r}/commits/{ref}`), without `files` and `stats` (not computed). */
export function commitJson(full: string, commit: SimCommit, urls: GitHubUrls): Record<string, unknown> {
  const api = `${urls.api}/repos/${full}`;
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', commit.sha),
    url: `${api}/commits/${commit.sha}`,
    html_url: `${urls.web}/${full}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author: gitUser(commit.author),
      committer: gitUser(commit.committer),
      message: commit.message,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      comment_count: 0,
      verification: { ...UNSIGNED },
    },
    // Git identities are not mapped to GitHub accounts here (GitHub answers null when unknown).
    author: null,
    committer: null,
    parents: commit.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${urls.web}/${full}/commit/${sha}` })),
  };
}

/** One `git-tree` entry. */
export function treeEntryJson(full: string, entry: SimTreeEntry, urls: GitHubUrls): Record<string, unknown> {
  const api = `${urls.api}/repos/${full}`;
  return {
    path: entry.path,
    mode: entry.mode,
    type: entry.type,
    sha: entry.sha,
    ...(entry.type === 'blob' ? { size: entry.size ?? 0, url: `${api}/git/blobs/${entry.sha}` } : {}),
    ...(entry.type === 'tree' ? { url: `${api}/git/trees/${entry.sha}` } : {}),
  };
}

/** `git-ref` for `refs/tags/x` or `refs/heads/x`; `type` is the type of the object the ref names. */
export function refJson(full: string, ref: string, sha: string, type: 'commit' | 'tag', urls: GitHubUrls): Record<string, unknown> {
  const api = `${urls.api}/repos/${full}`;
  return {
    ref,
    node_id: nodeId('Ref', `${full}:${ref}`),
    url: `${api}/git/${ref.split('/').map(encodeURIComponent).join('/')}`,
    object: { sha, type, url: `${api}/git/${type === 'tag' ? 'tags' : 'commits'}/${sha}` },
  };
}

/** `git-tag` for an annotated tag object. */
export function gitTagJson(full: string, tag: SimTag & { objectType: string; object: string }, urls: GitHubUrls): Record<string, unknown> {
  const api = `${urls.api}/repos/${full}`;
  const tagger = tag.annotation?.tagger ?? { name: '', email: '', date: '', timestamp: 0 };
  const objectKind = tag.objectType === 'tag' ? 'tags' : tag.objectType === 'commit' ? 'commits' : `${tag.objectType}s`;
  return {
    node_id: nodeId('Tag', tag.sha),
    sha: tag.sha,
    url: `${api}/git/tags/${tag.sha}`,
    tag: tag.name,
    message: tag.annotation?.message ?? '',
    tagger: gitUser(tagger),
    object: { sha: tag.object, type: tag.objectType, url: `${api}/git/${objectKind}/${tag.object}` },
    verification: { ...UNSIGNED },
  };
}

/** `blob`. */
export function blobJson(full: string, sha: string, content: Buffer, urls: GitHubUrls): Record<string, unknown> {
  return {
    sha,
    node_id: nodeId('Blob', sha),
    size: content.length,
    url: `${urls.api}/repos/${full}/git/blobs/${sha}`,
    content: base64Lines(content),
    encoding: 'base64',
  };
}

/** The common part of `content-file`, `content-symlink`, `content-submodule` and directory items. */
export function contentItemJson(
  full: string,
  item: { type: 'file' | 'dir' | 'symlink' | 'submodule'; path: string; sha: string; size: number },
  ref: string,
  urls: GitHubUrls,
): Record<string, unknown> {
  const api = `${urls.api}/repos/${full}`;
  const self = `${api}/contents/${encodePath(item.path)}?ref=${encodeURIComponent(ref)}`;
  const git = item.type === 'submodule' ? null : `${api}/git/${item.type === 'dir' ? 'trees' : 'blobs'}/${item.sha}`;
  const html = item.type === 'submodule' ? null : `${urls.web}/${full}/${item.type === 'dir' ? 'tree' : 'blob'}/${encodePath(ref)}/${encodePath(item.path)}`;
  return {
    type: item.type,
    size: item.size,
    name: item.path.split('/').pop() ?? item.path,
    path: item.path,
    sha: item.sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: item.type === 'file' || item.type === 'symlink' ? `${urls.web}/${full}/raw/${encodePath(ref)}/${encodePath(item.path)}` : null,
    _links: { self, git, html },
  };
}
