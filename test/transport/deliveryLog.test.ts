import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisDeliveryLog } from '../../src/store/index.js';
import { InMemoryDeliveryLog } from '../../src/transport/index.js';
import type { DeliveryLog } from '../../src/transport/index.js';
import { keysUnder, useTestRedis } from '../support/redis.js';

const redis = useTestRedis('delivery-log');

/** A client of a port nothing listens on: each command fails at once, and it never reconnects. Disconnect it after use. */
function unreachableRedis(): Redis {
  return new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
}

/** The contract both delivery logs keep; each Redis log gets a key prefix of its own. */
const implementations: [string, () => DeliveryLog][] = [
  ['InMemoryDeliveryLog', () => InMemoryDeliveryLog.create()],
  ['RedisDeliveryLog', () => RedisDeliveryLog.create({ client: redis.client, prefix: redis.prefix() })],
];

describe.each(implementations)('%s', (_name, create) => {
  it('lets a key be claimed once while it lives, whichever caller asks', async () => {
    const log = create();
    expect(await Promise.all([log.claim('delivery:github:1', 60_000), log.claim('delivery:github:1', 60_000), log.claim('delivery:github:2', 60_000)])).toEqual([true, false, true]);
    expect(await log.claim('delivery:github:1', 60_000)).toBe(false);
  });

  it('lets a key be claimed again once its TTL has passed', async () => {
    const log = create();
    expect(await log.claim('change:github:acme/churn:refs/tags/v1:create', 40)).toBe(true);
    await sleep(80);
    expect(await log.claim('change:github:acme/churn:refs/tags/v1:create', 40)).toBe(true);
  });

  it('lets a released key be claimed again at once', async () => {
    const log = create();
    expect(await log.claim('delivery:gitlab:k', 60_000)).toBe(true);
    await log.release('delivery:gitlab:k');
    expect(await log.claim('delivery:gitlab:k', 60_000)).toBe(true);
  });
});

describe('RedisDeliveryLog', () => {
  it('keeps one key per claim under <prefix>webhook:, with the TTL asked for', async () => {
    const prefix = redis.prefix();
    const log = RedisDeliveryLog.create({ client: redis.client, prefix });
    await log.claim('delivery:github:abc', 30_000);
    expect(await keysUnder(redis.client, prefix)).toEqual([`${prefix}webhook:delivery:github:abc`]);
    const ttl = await redis.client.pttl(`${prefix}webhook:delivery:github:abc`);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('throws a StoreError naming the key when Redis does not answer', async () => {
    const client = unreachableRedis();
    try {
      const log = RedisDeliveryLog.create({ client, prefix: redis.prefix() });
      await expect(log.claim('delivery:github:zzz', 1000)).rejects.toMatchObject({ name: 'StoreError', message: expect.stringContaining('delivery:github:zzz') });
    } finally {
      client.disconnect();
    }
  });
});

describe('InMemoryDeliveryLog', () => {
  it('forgets its oldest keys first once it holds more than maxEntries', async () => {
    const log = InMemoryDeliveryLog.create({ maxEntries: 10 });
    for (let i = 0; i < 11; i += 1) await log.claim(`k${i}`, 60_000);
    // Pruned to 9 (90%): k0 and k1 are gone, k2 on are kept.
    expect(await log.claim('k1', 60_000)).toBe(true);
    expect(await log.claim('k5', 60_000)).toBe(false);
  });

  it('follows the clock it is given', async () => {
    let now = 1000;
    const log = InMemoryDeliveryLog.create({ now: () => now });
    expect(await log.claim('k', 500)).toBe(true);
    now = 1499;
    expect(await log.claim('k', 500)).toBe(false);
    now = 1500;
    expect(await log.claim('k', 500)).toBe(true);
  });
});
