import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisRegistryStore } from '../../src/store/index.js';
import { createServer } from '../../src/transport/index.js';
import type { RunningServer } from '../../src/transport/index.js';
import { graphql } from '../support/processes.js';
import { countRoundTrips, createTestClient, useTestRedis } from '../support/redis.js';
import { syntheticSnapshot } from '../support/snapshots.js';

/*
 * The per-request DataLoaders over the Redis store: a dashboard query costs a handful of
 * Redis round trips, the same handful for a page of 10 models as for a page of 100.
 */

const DASHBOARD = `query ($first: Int) {
  models(first: $first) {
    totalCount
    nodes {
      ref name labels
      repository { fullName stale lastError indexedAt }
      latestVersion { version createdAt author { name } metrics { key value } }
      stages { stage version { version } }
    }
  }
}`;

describe('GraphQL over the Redis store', () => {
  const redis = useTestRedis('round-trips');
  const client = redis.track(createTestClient());
  const trips = countRoundTrips(client);
  let server: RunningServer;

  beforeAll(async () => {
    const store = redis.track(RedisRegistryStore.create({ client, prefix: redis.prefix() }));
    // 100 repositories of 3 models: 300 models, 900 versions.
    for (let i = 0; i < 100; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, j) => {
          const snapshot = syntheticSnapshot(i + j, 3);
          await store.putSnapshot(snapshot);
          await store.setStatus({ ref: snapshot.repository.ref, stale: false, lastAttemptAt: '2025-06-01T00:00:00.000Z' });
        }),
      );
    }
    server = await createServer({ store, port: 0, log: () => undefined });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  async function cost(query: string, variables: Record<string, unknown>): Promise<{ roundTrips: number; data: Record<string, unknown> }> {
    trips.reset();
    const data = await graphql(server.url, query, variables);
    return { roundTrips: trips.count, data };
  }

  it('answers a dashboard page in a handful of round trips, whatever the page size', async () => {
    const small = await cost(DASHBOARD, { first: 10 });
    const large = await cost(DASHBOARD, { first: 100 });
    expect((large.data as { models: { nodes: unknown[]; totalCount: number } }).models.nodes).toHaveLength(100);
    expect((large.data as { models: { totalCount: number } }).models.totalCount).toBe(300);
    // The summaries (2), the page's models (2), their repositories (2) and statuses (1).
    expect(large.roundTrips).toBeLessThanOrEqual(7);
    expect(large.roundTrips).toBe(small.roundTrips);
  });

  it('answers every repository with its freshness in a handful of round trips', async () => {
    const query = 'query ($first: Int) { repositories(first: $first) { totalCount nodes { fullName stale lastError indexedAt models { totalCount } } } }';
    const small = await cost(query, { first: 10 });
    const large = await cost(query, { first: 100 });
    expect((large.data as { repositories: { totalCount: number } }).repositories.totalCount).toBe(100);
    // The refs (1), the repositories (2), their statuses (1), the summaries (2, once for all 100 `models` fields) and the models of every page (2).
    expect(large.roundTrips).toBeLessThanOrEqual(8);
    expect(large.roundTrips).toBe(small.roundTrips);
  });
});
