import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { HostSimulator } from '../../src/hosts/index.js';
import { Indexer } from '../../src/indexer/index.js';
import type { IndexSummary } from '../../src/indexer/index.js';
import { GitHubSource, GitLabSource, createGitHubClient, createGitLabClient } from '../../src/sources/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';

/*
 * A GitHub organisation of 100 repositories and a GitLab group of 100 projects in nested
 * subgroups, indexed through the simulator: every repository indexed, and the exact API
 * calls per repository for a cold pass and an unchanged one (the README states them).
 */

const COUNT = 100;

async function makeRepositories(root: string, paths: string[]): Promise<void> {
  // A few at a time: each is a handful of git processes.
  for (let i = 0; i < paths.length; i += 10) {
    await Promise.all(
      paths.slice(i, i + 10).map(async (path, j) => {
        const name = `m${i + j}`;
        const repo = await createRepo(root, path);
        await repo.write({ 'dvc.yaml': `artifacts:\n  ${name}:\n    path: model.pkl\n    type: model\n` });
        await repo.commit('model', { date: '2025-06-01T10:00:00Z' });
        await repo.tag(`${name}@v1.0.0`, { message: 'release', date: '2025-06-01T11:00:00Z' });
      }),
    );
  }
}

describe('100 repositories per host', () => {
  const dir = useTempDir('modelgate-scale');
  let sim: HostSimulator;
  const github = Array.from({ length: COUNT }, (_, i) => `acme/repo-${String(i).padStart(3, '0')}`);
  const gitlab = Array.from({ length: COUNT }, (_, i) => `lab/team-${i % 4}/sub-${i % 2}/project-${String(i).padStart(3, '0')}`);

  beforeAll(async () => {
    const repos = join(dir.path, 'repos');
    await makeRepositories(repos, [...github, ...gitlab]);
    sim = await HostSimulator.start({ reposDir: repos, tokens: { t: {} } });
  }, 120_000);

  afterAll(async () => {
    await sim?.close();
  });

  /** Two passes of one source: the summaries of each. */
  async function twoPasses(source: GitHubSource | GitLabSource): Promise<{ cold: IndexSummary; unchanged: IndexSummary }> {
    const indexer = Indexer.create({ sources: [source], store: InMemoryRegistryStore.create() });
    try {
      const cold = await indexer.indexAll();
      const unchanged = await indexer.indexAll();
      return { cold, unchanged };
    } finally {
      await source.close();
    }
  }

  it('indexes a GitHub organisation of 100 repositories (13 calls in all cold, 5 unchanged) and a GitLab group of 100 projects in nested subgroups (5 calls each cold, 2 answered 304 unchanged)', async () => {
    const githubSource = GitHubSource.create({
      name: 'github',
      baseUrl: `${sim.url}/api/v3`,
      client: (onRequest) => createGitHubClient({ baseUrl: `${sim.url}/api/v3`, token: 't', onRequest }),
      orgs: ['acme'],
    });
    const gitlabSource = GitLabSource.create({ name: 'gitlab', client: createGitLabClient({ host: sim.url, token: 't' }), groups: ['lab'] });
    // Both hosts at once: the passes are independent, and the machine has two cores.
    const [gh, gl] = await Promise.all([twoPasses(githubSource), twoPasses(gitlabSource)]);
    for (const { cold } of [gh, gl]) {
      expect({ repositories: cold.repositories, failed: cold.failed, models: cold.models, versions: cold.versions }).toEqual({ repositories: COUNT, failed: [], models: COUNT, versions: COUNT });
    }
    // GitHub: one listing page of 100, then GraphQL queries each holding many repositories' pieces:
    // 100 pages of tags (weight 10 each, 250 a query), then 100 commits with their root trees, then 100 blobs.
    expect(gh.cold.apiCalls.github).toBe(13);
    expect(sim.stats().byEndpoint['POST /graphql']?.requests).toBe(12 + 4);
    // Unchanged: the listing (304, free) and the 100 pages of tags again (4 queries); nothing else.
    expect({ unchanged: gh.unchanged.unchanged, calls: gh.unchanged.apiCalls.github }).toEqual({ unchanged: COUNT, calls: 1 + 4 });
    // GitLab: one listing page (it gives each project, so none is read again), then per project the
    // default branch, the tags, the tree, the files and the commits.
    expect(gl.cold.apiCalls.gitlab).toBe(1 + 5 * COUNT);
    expect({ unchanged: gl.unchanged.unchanged, calls: gl.unchanged.apiCalls.gitlab }).toEqual({ unchanged: COUNT, calls: 1 + 2 * COUNT });
    // Every REST call of both unchanged passes was answered 304 (free on GitHub; GitLab still counts them).
    expect(sim.stats().notModified).toBe(1 + (1 + 2 * COUNT));
  }, 120_000);
});
