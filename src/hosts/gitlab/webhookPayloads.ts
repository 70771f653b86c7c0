import type { RepositoryFacts } from '../GitPlumbing.js';
import type { SimCommit, SimRepository, SimTag } from '../types.js';
import { groupId } from './gitlabJson.js';

export interface GitLabTagEventInput {
  repo: SimRepository;
  facts: RepositoryFacts;
  tag: SimTag;
  commit: SimCommit;
  username: string;
  origin: string;
  private: boolean;
}

/**
 * GitLab's `Tag Push Hook` payload for a created tag: `object_kind: "tag_push"`, `before` all
 * zeros, `after` the SHA the ref names, `checkout_sha` the commit, no commits.
 */
export function gitlabTagPushPayload(input: GitLabTagEventInput): Record<string, unknown> {
  const { repo, facts, tag, commit, username, origin } = input;
  const host = new URL(origin).host;
  const web = `${origin}/${repo.path}`;
  const ssh = `git@${host}:${repo.path}.git`;
  const http = `${web}.git`;
  const parts = repo.path.split('/');
  const visibility = input.private ? 0 : 20;
  return {
    object_kind: 'tag_push',
    event_name: 'tag_push',
    before: '0'.repeat(40),
    after: tag.sha,
    ref: `refs/tags/${tag.name}`,
    ref_protected: false,
    checkout_sha: commit.sha,
    message: tag.annotation?.message ?? null,
    user_id: groupId(`user:${username}`),
    user_name: username,
    user_username: username,
    user_email: '',
    user_avatar: null,
    project_id: repo.id,
    project: {
      id: repo.id,
      name: parts[parts.length - 1],
      description: null,
      web_url: web,
      avatar_url: null,
      git_ssh_url: ssh,
      git_http_url: http,
      namespace: parts.slice(0, -1).join(' / '),
      visibility_level: visibility,
      path_with_namespace: repo.path,
      default_branch: facts.defaultBranch,
      ci_config_path: null,
      homepage: web,
      url: ssh,
      ssh_url: ssh,
      http_url: http,
    },
    commits: [],
    total_commits_count: 0,
    push_options: {},
    repository: { name: parts[parts.length - 1], url: ssh, description: null, homepage: web, git_http_url: http, git_ssh_url: ssh, visibility_level: visibility },
  };
}
