import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Indexer } from '../../src/indexer/index.js';
import { LocalGitSource } from '../../src/sources/index.js';
import { RedisRegistryStore, redisKeys } from '../../src/store/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { keysUnder, useTestRedis } from '../support/redis.js';

/* A corrupted value in Redis (a bad write by hand, a bit flip, another version's layout) is detected, dropped and indexed again. */

describe('RedisRegistryStore with a corrupted entry', () => {
  const dir = useTempDir('modelgate-corruption');
  const redis = useTestRedis('corruption');

  async function indexed() {
    const repos = join(dir.path, `repos-${Date.now()}`);
    for (const name of ['churn', 'vision']) {
      const repo = await createRepo(repos, `acme/${name}`);
      await repo.write({ 'dvc.yaml': `artifacts:\n  ${name}:\n    path: model.pkl\n    type: model\n` });
      await repo.commit('model', { date: '2025-06-01T10:00:00Z' });
      await repo.tag(`${name}@v1.0.0`, { message: 'v1', date: '2025-06-01T11:00:00Z' });
    }
    const prefix = redis.prefix();
    const dropped: string[] = [];
    const store = redis.track(RedisRegistryStore.create({ client: redis.track(redis.client.duplicate()), prefix, onCorrupt: (ref) => dropped.push(ref) }));
    const source = redis.track(LocalGitSource.create({ name: 'local', root: repos }));
    const indexer = Indexer.create({ sources: [source], store });
    const first = await indexer.indexAll();
    expect(first.failed).toEqual([]);
    return { prefix, store, indexer, dropped };
  }

  /** Overwrites every key of the current generation of `ref` whose name ends with `suffix`. */
  async function corrupt(prefix: string, ref: string, suffix: string, field?: string): Promise<void> {
    const keys = (await keysUnder(redis.client, `${redisKeys(prefix).snapshotParts(ref).head}`)).filter((k) => k.endsWith(suffix));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      if (field) await redis.client.hset(key, field, '{"ref": "cut sho');
      else await redis.client.set(key, '\u0000garbage');
    }
  }

  it('reads a corrupted model as absent instead of failing the request, and the next pass indexes its repository again', async () => {
    const { prefix, store, indexer, dropped } = await indexed();
    await corrupt(prefix, 'local:acme/churn', ':models', 'local:acme/churn:churn');
    const [churn, vision] = await store.getModels(['local:acme/churn:churn', 'local:acme/vision:vision']);
    expect(churn).toBeUndefined();
    expect(vision?.name).toBe('vision');
    expect(dropped).toEqual(['local:acme/churn']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.listRepositories()).toEqual(['local:acme/vision']);

    const again = await indexer.indexAll();
    expect({ updated: again.updated, unchanged: again.unchanged, failed: again.failed }).toEqual({ updated: 1, unchanged: 1, failed: [] });
    expect((await store.getModels(['local:acme/churn:churn']))[0]?.versions.map((v) => v.name)).toEqual(['v1.0.0']);
  });

  it('skips a repository whose model list is corrupted when listing models, and drops it', async () => {
    const { prefix, store, dropped } = await indexed();
    await corrupt(prefix, 'local:acme/vision', ':summaries');
    expect((await store.listModels()).map((m) => m.ref)).toEqual(['local:acme/churn:churn']);
    expect(dropped).toEqual(['local:acme/vision']);
  });

  it('reads a repository record that names another repository as corrupt', async () => {
    const { prefix, store, dropped } = await indexed();
    const keys = (await keysUnder(redis.client, redisKeys(prefix).snapshotParts('local:acme/churn').head)).filter((k) => k.endsWith(':repository'));
    for (const key of keys) await redis.client.set(key, JSON.stringify({ ref: 'local:acme/elsewhere' }));
    expect(await store.getRepositories(['local:acme/churn', 'local:acme/vision'])).toEqual([undefined, expect.objectContaining({ ref: 'local:acme/vision' })]);
    expect(dropped).toEqual(['local:acme/churn']);
  });
});
