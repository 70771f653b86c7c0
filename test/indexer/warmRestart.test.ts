import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { HostSimulator } from '../../src/hosts/index.js';
import { redisKeys } from '../../src/store/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { syntheticSnapshot } from '../support/snapshots.js';
import { graphql, startModelgate, waitFor } from '../support/processes.js';
import type { ModelgateProcess } from '../support/processes.js';
import { TEST_REDIS_URL, useTestRedis } from '../support/redis.js';

/* A gateway restarted on a warm Redis serves the index it finds there, at once, without asking any host. */

const DASHBOARD = '{ models(first: 50) { totalCount nodes { ref latestVersion { version createdAt } stages { stage version { version } } } } }';

describe('a gateway restarted on a warm Redis', () => {
  const dir = useTempDir('modelgate-warm-restart');
  const redis = useTestRedis('warm-restart');
  const running: ModelgateProcess[] = [];
  let sim: HostSimulator;

  beforeAll(async () => {
    const repos = join(dir.path, 'repos');
    for (let i = 0; i < 3; i++) {
      const repo = await createRepo(repos, `acme/model-${i}`);
      await repo.write({ 'dvc.yaml': `artifacts:\n  m${i}:\n    path: model.pkl\n    type: model\n` });
      await repo.commit('model', { date: '2025-06-01T10:00:00Z' });
      await repo.tag(`m${i}@v1.0.0`, { message: 'release', date: '2025-06-01T11:00:00Z' });
      await repo.tag(`m${i}#prod#1`, { message: 'to prod', date: '2025-06-01T12:00:00Z' });
    }
    sim = await HostSimulator.start({ reposDir: repos, tokens: { t: {} } });
  }, 60_000);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill()));
  });

  afterAll(async () => {
    await sim?.close();
  });

  async function serve(config: string): Promise<ModelgateProcess> {
    const p = await startModelgate(['serve', '--config', config], /GraphQL\s+http/);
    running.push(p);
    return p;
  }

  it('answers its first query from Redis without calling any host', async () => {
    const config = join(dir.path, 'github.yaml');
    await writeFile(
      config,
      ['listen: { host: 127.0.0.1, port: 0 }', `redis: ${TEST_REDIS_URL}`, `redisPrefix: "${redis.prefix()}"`, 'refresh: { interval: 10m }', 'sources:', '  - kind: github', `    url: ${sim.githubUrl}`, '    token: t', '    orgs: [acme]', ''].join(
        '\n',
      ),
    );
    const first = await serve(config);
    await waitFor('the first pass', async () => (await graphql<{ indexStatus: { lastRunAt: string | null } }>(first.url as string, '{ indexStatus { lastRunAt } }')).indexStatus.lastRunAt ?? undefined);
    const before = await graphql(first.url as string, DASHBOARD);
    expect((before as { models: { totalCount: number } }).models.totalCount).toBe(3);
    await first.stop();

    sim.resetStats();
    const second = await serve(config);
    expect(await graphql(second.url as string, DASHBOARD)).toEqual(before);
    expect(sim.stats().requests).toBe(0);
    // And it stays so: the interval that the last pass started has not run out, so no pass begins.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sim.stats().requests).toBe(0);
  }, 60_000);

  it('is ready, and answers a dashboard query, within 2 seconds of its start with 1,000 repositories (2,000 models, 6,000 versions) indexed', async () => {
    const prefix = redis.prefix();
    const store = redis.store({ prefix });
    for (let i = 0; i < 1000; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => store.putSnapshot(syntheticSnapshot(i + j))));
    // The last pass finished a moment ago and its interval still runs: the restart must not start another.
    const keys = redisKeys(prefix);
    await redis.client.hset(keys.index.lastPass, { finishedAt: new Date().toISOString(), seconds: '1', repositories: '1000', failed: '0', apiCalls: '0' });
    await redis.client.set(keys.index.reconcile, 'previous-process', 'PX', 600_000);
    const empty = join(dir.path, 'no-repos');
    await mkdir(empty, { recursive: true });
    const config = join(dir.path, 'thousand.yaml');
    await writeFile(config, ['listen: { host: 127.0.0.1, port: 0 }', `redis: ${TEST_REDIS_URL}`, `redisPrefix: "${prefix}"`, 'refresh: { interval: 10m }', 'sources:', '  - kind: local', `    path: ${empty}`, ''].join('\n'));

    const started = Date.now();
    const gateway = await serve(config);
    const url = gateway.url as string;
    await waitFor('/readyz', async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 10_000, 20);
    const page = await graphql<{ models: { totalCount: number; nodes: unknown[] } }>(url, DASHBOARD);
    const elapsed = Date.now() - started;
    expect(page.models.totalCount).toBe(2000);
    expect(page.models.nodes).toHaveLength(50);
    expect((await graphql<{ indexStatus: { repositories: number; ready: boolean } }>(url, '{ indexStatus { repositories ready } }')).indexStatus).toEqual({ repositories: 1000, ready: true });
    process.stdout.write(`warm restart with 1,000 repositories: ready and answered in ${elapsed} ms\n`);
    expect(elapsed).toBeLessThan(2000);
  }, 120_000);
});
