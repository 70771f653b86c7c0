import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { HostSimulator } from '../../src/hosts/index.js';
import type { RepoWriter } from '../../src/demo/repoWriter.js';
import { redisKeys } from '../../src/store/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { graphql, startModelgate, waitFor } from '../support/processes.js';
import type { ModelgateProcess } from '../support/processes.js';
import { TEST_REDIS_URL, useTestRedis } from '../support/redis.js';

/*
 * Scale-out as deployed: `serve` and `worker` processes (the built CLI) sharing one Redis,
 * indexing a GitLab group served by the simulator. GitLab's calls are per project, so the
 * simulator's per-repository counters say exactly how often each project was indexed.
 */

const PROJECTS = 6;
const MODELS_QUERY = '{ models(first: 50) { totalCount nodes { ref latestVersion { version } versions { totalCount } stages { stage version { version } } } } }';

interface Cluster {
  config: string;
  prefix: string;
}

describe('serve and worker processes on one Redis', () => {
  const dir = useTempDir('modelgate-scale-out');
  const redis = useTestRedis('scale-out');
  const writers: RepoWriter[] = [];
  let sim: HostSimulator;
  const started: ModelgateProcess[] = [];

  beforeAll(async () => {
    const repos = join(dir.path, 'repos');
    for (let i = 0; i < PROJECTS; i++) {
      const repo = await createRepo(repos, `lab/team-${i % 2}/project-${i}`);
      await repo.write({ 'dvc.yaml': `artifacts:\n  m${i}:\n    path: model.pkl\n    type: model\n` });
      await repo.commit('model', { date: '2025-06-01T10:00:00Z' });
      await repo.tag(`m${i}@v1.0.0`, { message: 'release', date: '2025-06-01T11:00:00Z' });
      writers.push(repo);
    }
    sim = await HostSimulator.start({ reposDir: repos, tokens: { t: {} } });
  }, 60_000);

  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.kill()));
  });

  afterAll(async () => {
    await sim?.close();
  });

  async function cluster(name: string, refresh: string): Promise<Cluster> {
    const prefix = redis.prefix();
    const config = join(dir.path, `${name}.yaml`);
    await writeFile(
      config,
      [
        'listen: { host: 127.0.0.1, port: 0 }',
        `redis: ${TEST_REDIS_URL}`,
        `redisPrefix: "${prefix}"`,
        `refresh: ${refresh}`,
        'sources:',
        '  - kind: gitlab',
        `    url: ${sim.url}`,
        '    token: t',
        '    groups: [lab]',
        '',
      ].join('\n'),
    );
    return { config, prefix };
  }

  const serve = async (c: Cluster, ...flags: string[]) => track(await startModelgate(['serve', '--config', c.config, ...flags], /GraphQL\s+http/));
  const worker = async (c: Cluster) => track(await startModelgate(['worker', '--config', c.config], /Modelgate worker: indexing jobs/));
  function track(p: ModelgateProcess): ModelgateProcess {
    started.push(p);
    return p;
  }

  const lastRunAt = async (url: string) => (await graphql<{ indexStatus: { lastRunAt: string | null } }>(url, '{ indexStatus { lastRunAt } }')).indexStatus.lastRunAt ?? undefined;
  const requestsPerProject = () => Array.from({ length: PROJECTS }, (_, i) => sim.stats().byRepository[`lab/team-${i % 2}/project-${i}`]?.requests ?? 0);

  it('indexes every repository once per pass, and two gateways answer identically', async () => {
    const c = await cluster('once', '{ interval: 30s }');
    sim.resetStats();
    const [a, b] = [await serve(c), await serve(c, '--no-worker')];
    await worker(c);
    await worker(c);
    const gatewayA = a.url as string;
    const gatewayB = b.url as string;
    const first = await waitFor('the first pass', () => lastRunAt(gatewayB));
    // Cold: default branch, tags, tree, files and commits of each project, once.
    expect(requestsPerProject()).toEqual(Array(PROJECTS).fill(5));

    // The next interval's pass (the key that holds the interval is let go early).
    await redis.client.del(redisKeys(c.prefix).index.reconcile);
    await waitFor('the second pass', async () => {
      const at = await lastRunAt(gatewayA);
      return at !== undefined && at !== first ? at : undefined;
    });
    // Unchanged: the tags and the default branch again, nothing more (plus the project itself when the
    // worker that took the job is not the one that listed the group). Each project's tags were read once per pass.
    expect(requestsPerProject().every((n) => n === 7 || n === 8)).toBe(true);
    expect(sim.stats().byEndpoint['GET /projects/{id}/repository/tags']?.requests).toBe(2 * PROJECTS);

    const [fromA, fromB] = await Promise.all([graphql(gatewayA, MODELS_QUERY), graphql(gatewayB, MODELS_QUERY)]);
    expect(fromA).toEqual(fromB);
    expect((fromA as { models: { totalCount: number } }).models.totalCount).toBe(PROJECTS);
    const status = await graphql<{ indexStatus: { repositories: number; repositoriesByState: { fresh: number; stale: number }; queue: { waiting: number; active: number } | null; lastRunApiCalls: number } }>(
      gatewayB,
      '{ indexStatus { repositories repositoriesByState { fresh stale } queue { waiting active } lastRunApiCalls } }',
    );
    const extra = requestsPerProject().filter((n) => n === 8).length;
    expect(status.indexStatus).toEqual({ repositories: PROJECTS, repositoriesByState: { fresh: PROJECTS, stale: 0 }, queue: { waiting: 0, active: 0 }, lastRunApiCalls: 1 + 2 * PROJECTS + extra });
  }, 90_000);

  it('loses nothing when a worker is killed mid-job: the job is retried elsewhere and the old snapshot stays readable', async () => {
    const c = await cluster('kill', '{ interval: 60s, stallAfter: 2s }');
    const gateway = await serve(c, '--no-worker');
    const url = gateway.url as string;
    const first = await worker(c);
    await waitFor('the first pass', () => lastRunAt(url));
    const before = await graphql(url, MODELS_QUERY);

    // Every project gets a second version; requests become slow so that jobs are under way when the worker dies.
    for (const [i, repo] of writers.entries()) {
      await repo.write({ 'params.yaml': 'lr: 0.2\n' });
      await repo.commit('retrain', { date: '2025-06-02T10:00:00Z' });
      await repo.tag(`m${i}@v1.1.0`, { message: 'retrained', date: '2025-06-02T11:00:00Z' });
    }
    sim.setLatency(300);
    await redis.client.del(redisKeys(c.prefix).index.reconcile);
    await waitFor('jobs under way on the first worker', async () => {
      const s = await graphql<{ indexStatus: { queue: { active: number } } }>(url, '{ indexStatus { queue { active } } }');
      return s.indexStatus.queue.active > 0 ? true : undefined;
    });
    await first.kill();
    // Meanwhile the gateway serves the previous snapshot, whole.
    expect(await graphql(url, MODELS_QUERY)).toEqual(before);

    await worker(c);
    const done = await waitFor(
      'every project with its new version',
      async () => {
        const data = await graphql<{ models: { totalCount: number; nodes: { latestVersion: { version: string } | null }[] } }>(url, MODELS_QUERY);
        return data.models.nodes.every((m) => m.latestVersion?.version === 'v1.1.0') ? data : undefined;
      },
      60_000,
      250,
    );
    sim.setLatency(0);
    expect(done.models.totalCount).toBe(PROJECTS);
    const status = await graphql<{ indexStatus: { repositoriesByState: { fresh: number; stale: number } } }>(url, '{ indexStatus { repositoriesByState { fresh stale } } }');
    expect(status.indexStatus.repositoriesByState).toEqual({ fresh: PROJECTS, stale: 0 });
  }, 120_000);
});
