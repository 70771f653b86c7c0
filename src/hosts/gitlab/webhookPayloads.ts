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

/** A tag deleted through the simulator: its name and the SHA its ref named until then. */
export interface GitLabTagDeletedInput {
  repo: SimRepository;
  facts: RepositoryFacts;
  tagName: string;
  /** What the ref named until then: the tag object of an annotated tag, the commit of a lightweight one. */
  sha: string;
  username: string;
  origin: string;
  private: boolean;
}

const ZERO = '0'.repeat(40);

/**
 * GitLab's `Tag Push Hook` payload for a created tag: `object_kind: "tag_push"`, `before` all
 * zeros, `after` the SHA the ref names, `checkout_sha` the commit, no commits.
 */
export function gitlabTagPushPayload(input: GitLabTagEventInput): Record<string, unknown> {
  const { tag, commit } = input;
  return tagPush(input, { name: tag.name, before: ZERO, after: tag.sha, checkoutSha: commit.sha, message: tag.annotation?.message ?? null });
}

/**
 * GitLab's `Tag Push Hook` payload for a deleted tag: the same shape with `before` the SHA the
 * ref named, `after` all zeros, `checkout_sha: null` and no message (GitLab builds it from a tag
 * that no longer exists).
 */
export function gitlabTagDeletedPayload(input: GitLabTagDeletedInput): Record<string, unknown> {
  return tagPush(input, { name: input.tagName, before: input.sha, after: ZERO, checkoutSha: null, message: null });
}

function tagPush(
  input: { repo: SimRepository; facts: RepositoryFacts; username: string; origin: string; private: boolean },
  change: { name: string; before: string; after: string; checkoutSha: string | null; message: string | null },
): Record<string, unknown> {
  const { repo, facts, username, origin } = input;
  const host = new URL(origin).host;
  const web = `${origin}/${repo.path}`;
  const ssh = `git@${host}:${repo.path}.git`;
  const http = `${web}.git`;
  const parts = repo.path.split('/');
  const visibility = input.private ? 0 : 20;
  return {
    object_kind: 'tag_push',
    event_name: 'tag_push',
    before: change.before,
    after: change.after,
    ref: `refs/tags/${change.name}`,
    ref_protected: false,
    checkout_sha: change.checkoutSha,
    message: change.message,
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
