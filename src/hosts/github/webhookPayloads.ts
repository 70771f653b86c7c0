import type { RepositoryFacts } from '../GitPlumbing.js';
import type { SimCommit, SimRepository, SimTag } from '../types.js';
import { repoJson, userJson } from './githubJson.js';
import type { GitHubUrls } from './githubJson.js';

export interface GitHubTagEventInput {
  repo: SimRepository;
  facts: RepositoryFacts;
  tag: SimTag;
  commit: SimCommit;
  /** The pusher's login. */
  login: string;
  urls: GitHubUrls;
  private: boolean;
}

/** A tag deleted through the simulator: its name and the SHA its ref named until then. */
export interface GitHubTagDeletedInput {
  repo: SimRepository;
  facts: RepositoryFacts;
  tagName: string;
  /** The tag object of an annotated tag, the commit of a lightweight one. */
  sha: string;
  /** The pusher's login. */
  login: string;
  urls: GitHubUrls;
  private: boolean;
}

/** A webhook GitHub sends: the `X-GitHub-Event` name and the payload. */
export interface GitHubEvent {
  event: 'create' | 'delete' | 'push';
  payload: Record<string, unknown>;
}

const ZERO = '0'.repeat(40);

/**
 * What GitHub delivers when a tag is created: a `create` event (`ref` is the short tag name,
 * `ref_type: "tag"`) and a `push` event (`ref: "refs/tags/…"`, `before` all zeros, `after` the
 * SHA the ref names, no commits, `head_commit` the tagged commit), in that order.
 */
export function githubTagEvents(input: GitHubTagEventInput): GitHubEvent[] {
  const { repo, facts, tag, commit, urls } = input;
  const { repository, organization, sender, push } = parties(input);
  const person = (s: SimCommit['author']) => ({ name: s.name, email: s.email, username: s.name.replace(/[^A-Za-z0-9-]+/g, '-') });
  return [
    {
      event: 'create',
      payload: { ref: tag.name, ref_type: 'tag', master_branch: facts.defaultBranch, description: null, pusher_type: 'user', repository, organization, sender },
    },
    {
      event: 'push',
      payload: push({
        ref: `refs/tags/${tag.name}`,
        before: ZERO,
        after: tag.sha,
        created: true,
        deleted: false,
        compare: `${urls.web}/${repo.path}/compare/${encodeURIComponent(tag.name)}`,
        head_commit: {
          id: commit.sha,
          tree_id: commit.tree,
          distinct: true,
          message: commit.message,
          timestamp: commit.committer.date,
          url: `${urls.web}/${repo.path}/commit/${commit.sha}`,
          author: person(commit.author),
          committer: person(commit.committer),
          added: [],
          removed: [],
          modified: [],
        },
      }),
    },
  ];
}

/**
 * What GitHub delivers when a tag is deleted: a `delete` event (`ref` the short tag name,
 * `ref_type: "tag"`, no `master_branch` or `description`) and a `push` event (`before` the SHA the
 * ref named, `after` all zeros, `deleted: true`, no commits, `head_commit: null`, `compare`
 * between the two abbreviated SHAs as in GitHub's example payload), in that order.
 */
export function githubTagDeletedEvents(input: GitHubTagDeletedInput): GitHubEvent[] {
  const { repo, tagName, sha, urls } = input;
  const { repository, organization, sender, push } = parties(input);
  return [
    { event: 'delete', payload: { ref: tagName, ref_type: 'tag', pusher_type: 'user', repository, organization, sender } },
    {
      event: 'push',
      payload: push({
        ref: `refs/tags/${tagName}`,
        before: sha,
        after: ZERO,
        created: false,
        deleted: true,
        compare: `${urls.web}/${repo.path}/compare/${sha.slice(0, 12)}...${ZERO.slice(0, 12)}`,
        head_commit: null,
      }),
    },
  ];
}

/** The repository, organisation and sender every event carries, and the `push` payload around its ref-specific fields. */
function parties(input: { repo: SimRepository; facts: RepositoryFacts; login: string; urls: GitHubUrls; private: boolean }) {
  const { repo, facts, login, urls } = input;
  const repository = repoJson(repo, facts, urls, { private: input.private });
  const owner = repo.path.split('/')[0] ?? '';
  const organization = (({ login: l, id, node_id, url, repos_url, events_url, avatar_url }) => ({
    login: l,
    id,
    node_id,
    url: String(url).replace('/users/', '/orgs/'),
    repos_url: String(repos_url).replace('/users/', '/orgs/'),
    events_url: String(events_url).replace('/users/', '/orgs/'),
    hooks_url: `${urls.api}/orgs/${owner}/hooks`,
    issues_url: `${urls.api}/orgs/${owner}/issues`,
    members_url: `${urls.api}/orgs/${owner}/members{/member}`,
    public_members_url: `${urls.api}/orgs/${owner}/public_members{/member}`,
    avatar_url,
    description: null,
  }))(userJson(owner, urls, 'Organization') as { login: string; id: number; node_id: string; url: string; repos_url: string; events_url: string; avatar_url: string });
  const sender = userJson(login, urls, 'User');
  const push = (fields: { ref: string; before: string; after: string; created: boolean; deleted: boolean; compare: string; head_commit: unknown }): Record<string, unknown> => ({
    ref: fields.ref,
    before: fields.before,
    after: fields.after,
    repository: {
      ...repository,
      // The push event's repository keeps the old shape: times in seconds, `master_branch`, the owner's name.
      created_at: Math.floor(facts.createdAt.getTime() / 1000),
      pushed_at: Math.floor(Date.now() / 1000),
      stargazers: 0,
      master_branch: facts.defaultBranch,
      organization: owner,
    },
    pusher: { name: login, email: `${login}@users.noreply.simulator.invalid` },
    organization,
    sender,
    created: fields.created,
    deleted: fields.deleted,
    forced: false,
    base_ref: null,
    compare: fields.compare,
    commits: [],
    head_commit: fields.head_commit,
  });
  return { repository, organization, sender, push };
}
