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

const ZERO = '0'.repeat(40);

/**
 * What GitHub delivers when a tag is created: a `create` event (`ref` is the short tag name,
 * `ref_type: "tag"`) and a `push` event (`ref: "refs/tags/…"`, `before` all zeros, `after` the
 * SHA the ref names, no commits, `head_commit` the tagged commit), in that order.
 */
export function githubTagEvents(input: GitHubTagEventInput): { event: 'create' | 'push'; payload: Record<string, unknown> }[] {
  const { repo, facts, tag, commit, login, urls } = input;
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
  const person = (s: SimCommit['author']) => ({ name: s.name, email: s.email, username: s.name.replace(/[^A-Za-z0-9-]+/g, '-') });
  return [
    {
      event: 'create',
      payload: { ref: tag.name, ref_type: 'tag', master_branch: facts.defaultBranch, description: null, pusher_type: 'user', repository, organization, sender },
    },
    {
      event: 'push',
      payload: {
        ref: `refs/tags/${tag.name}`,
        before: ZERO,
        after: tag.sha,
        repository: {
          ...repository,
          created_at: Math.floor(facts.createdAt.getTime() / 1000),
          pushed_at: Math.floor(Date.now() / 1000),
          stargazers: 0,
          master_branch: facts.defaultBranch,
          organization: owner,
        },
        pusher: { name: login, email: `${login}@users.noreply.simulator.invalid` },
        organization,
        sender,
        created: true,
        deleted: false,
        forced: false,
        base_ref: null,
        compare: `${urls.web}/${repo.path}/compare/${encodeURIComponent(tag.name)}`,
        commits: [],
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
      },
    },
  ];
}
