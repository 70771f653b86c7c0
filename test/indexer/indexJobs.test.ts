import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { HostSimulator } from '../../src/hosts/index.js';
import { IndexJobs, Indexer } from '../../src/indexer/index.js';
import type { RepoWriter } from '../../src/demo/repoWriter.js';
import { GitLabSource, createGitLabClient } from '../../src/sources/index.js';
import { RedisRegistryStore, redisKeys } from '../../src/store/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { waitFor } from '../support/processes.js';
import { createTestClient, useTestRedis } from '../support/redis.js';

/* The job runner in one process, on real Redis and the simulator's GitLab: what happens between passes. */

describe('IndexJobs', () => {
  const dir = useTempDir('modelgate-index-jobs');
  const redis = useTestRedis('index-jobs');
  let sim: HostSimulator;
  let repo: RepoWriter;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    const repos = join(dir.path, 'repos');
    repo = await createRepo(repos, 'lab/churn');
    await repo.write({ 'dvc.yaml': 'artifacts:\n  churn:\n    path: model.pkl\n    type: model\n' });
    await repo.commit('model', { date: '2025-06-01T10:00:00Z' });
    await repo.tag('churn@v1.0.0', { message: 'v1', date: '2025-06-01T11:00:00Z' });
    sim = await HostSimulator.start({ reposDir: repos, tokens: { t: {} } });
  }, 60_000);

  afterEach(async () => {
    sim.setLatency(0);
    await Promise.all(running.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await sim?.close();
  });

  async function start(prefix: string, intervalMs = 600_000) {
    const connection = redis.track(createTestClient());
    connection.options.maxRetriesPerRequest = null;
    const store = redis.track(RedisRegistryStore.create({ client: redis.track(createTestClient()), prefix }));
    const source = GitLabSource.create({ name: 'gitlab', client: createGitLabClient({ host: sim.url, token: 't' }), groups: ['lab'] });
    const indexer = Indexer.create({ sources: [source], store });
    const jobs = await IndexJobs.start({ indexer, sources: [source], connection, keys: redisKeys(prefix), intervalMs, work: true });
    running.push({ stop: () => jobs.stop() });
    return { jobs, store };
  }

  const versionsOf = async (store: RedisRegistryStore) => ((await store.getModels(['gitlab:lab/churn:churn']))[0]?.versions ?? []).map((v) => v.name);

  it('queues a follow-up when a refresh is asked while that repository is being indexed, so the later tag is not lost', async () => {
    const prefix = redis.prefix();
    const { jobs, store } = await start(prefix);
    await waitFor('the first pass', async () => ((await jobs.status()).lastPass ? true : undefined));
    sim.setLatency(250);
    // A new commit: indexing it reads its tree, files and commit, slowly, after the tags.
    await repo.write({ 'params.yaml': 'lr: 0.2\n' });
    await repo.commit('retrain', { date: '2025-06-02T10:00:00Z' });
    await repo.tag('churn@v1.1.0', { message: 'v1.1', date: '2025-06-02T11:00:00Z' });
    const tagReads = () => sim.stats().byEndpoint['GET /projects/{id}/repository/tags']?.requests ?? 0;
    const before = tagReads();
    await jobs.enqueue('gitlab:lab/churn');
    // The running job has read the tags (and is still reading the new commit's files, slowly).
    await waitFor('the refresh to read the tags', async () => (tagReads() > before ? true : undefined), 10_000, 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await jobs.status()).queue.active).toBe(1);
    // Pushed after the running job read the refs: a second webhook says so.
    await repo.tag('churn@v1.2.0', { message: 'v1.2', date: '2025-06-03T11:00:00Z' });
    await jobs.enqueue('gitlab:lab/churn');
    const names = await waitFor('both new versions', async () => {
      const status = await jobs.status();
      const versions = await versionsOf(store);
      return status.queue.active + status.queue.waiting === 0 && versions.includes('v1.2.0') ? versions : undefined;
    }, 30_000, 100);
    expect(names).toEqual(expect.arrayContaining(['v1.0.0', 'v1.1.0', 'v1.2.0']));
  }, 60_000);

  it('closes a pass whose jobs were lost (queues empty, repositories uncounted), so lastPass moves on', async () => {
    const prefix = redis.prefix();
    const keys = redisKeys(prefix);
    // A pass under way for a minute, five repositories queued, none counted, and no job left: its jobs were lost.
    const started = Date.now() - 60_000;
    await redis.client.set(keys.index.reconcile, 'someone', 'PX', 600_000);
    await redis.client.hset(keys.index.pass, { id: `${started}`, startedAtMs: `${started}`, total: '5', done: '0', failed: '0', apiCallsAtStart: '0' });
    const { jobs } = await start(prefix, 2000);
    const last = await waitFor('the lost pass closed', async () => (await jobs.status()).lastPass, 20_000, 200);
    expect(last).toMatchObject({ repositories: 5, failed: 0 });
    expect(await redis.client.exists(keys.index.pass)).toBe(0);
  }, 30_000);
});
