import { describe, expect, it } from '@jest/globals';
import { RedisEventBus, compareEventIds, publishSnapshotEvents } from '../../src/events/index.js';
import type { EventSubscription, LiveRegistryEvent } from '../../src/events/index.js';
import { syntheticSnapshot } from '../support/snapshots.js';
import { TEST_REDIS_URL, useTestRedis } from '../support/redis.js';
import { event, quiet, take } from './eventHelpers.js';

const redis = useTestRedis('redis-event-bus');
/** Nothing listens on port 1: a Redis that is down. */
const NO_REDIS = 'redis://127.0.0.1:1';

function bus(prefix: string): RedisEventBus {
  return redis.track(RedisEventBus.create({ url: TEST_REDIS_URL, prefix }));
}

/** Reads a subscription until the event tagged `last` (or fails after two seconds without progress). */
async function readUntil(subscription: EventSubscription, last: string): Promise<LiveRegistryEvent[]> {
  const events: LiveRegistryEvent[] = [];
  while (events.at(-1)?.tag !== last) events.push(...(await take(subscription, 1)));
  return events;
}

describe('RedisEventBus', () => {
  it('hands a since subscriber over from replay to live with no gap and no duplicate while events keep coming', async () => {
    const prefix = redis.prefix();
    const publisher = bus(prefix);
    const gateway = bus(prefix);
    // Keeps the gateway's reader busy with live events the whole time.
    const live = await gateway.subscribe();
    const tags = Array.from({ length: 400 }, (_, i) => `m@v0.0.${i}`);
    const published: LiveRegistryEvent[] = [];
    const joined: { since: string; subscription: Promise<EventSubscription> }[] = [];
    // A few publishes in flight at once, and a subscriber joining every 25 events from an id 20 back, none waiting for the others.
    for (let i = 0; i < tags.length; i += 5) {
      const batch = await Promise.all(tags.slice(i, i + 5).map((tag) => publisher.publish([event(tag)])));
      published.push(...batch.flat());
      if (i % 25 === 20) {
        const since = [...published].sort((a, b) => compareEventIds(a.id, b.id))[i - 20]?.id ?? '';
        joined.push({ since, subscription: gateway.subscribe({ since }) });
      }
    }
    const ids = published.map((e) => e.id).sort(compareEventIds);
    const lastTag = published.find((e) => e.id === ids.at(-1))?.tag ?? '';
    for (const { since, subscription } of joined) {
      const received = await readUntil(await subscription, lastTag);
      expect(received.map((e) => e.id)).toEqual(ids.filter((id) => compareEventIds(id, since) > 0));
      expect(await quiet(await subscription, 50)).toBe(true);
      await (await subscription).return();
    }
    expect((await readUntil(live, lastTag)).length).toBe(400);
    await live.return();
  });

  it('delivers each event once to every subscriber of every gateway sharing the prefix, whoever published it', async () => {
    const prefix = redis.prefix();
    const [gatewayA, gatewayB, worker] = [bus(prefix), bus(prefix), bus(prefix)];
    const subscriptions = await Promise.all([gatewayA.subscribe(), gatewayA.subscribe(), gatewayB.subscribe(), gatewayB.subscribe()]);
    const tags = Array.from({ length: 30 }, (_, i) => `m@v1.0.${i}`);
    for (let i = 0; i < tags.length; i += 10) await worker.publish(tags.slice(i, i + 10).map((tag) => event(tag)));
    for (const subscription of subscriptions) {
      expect((await take(subscription, 30)).map((e) => e.tag)).toEqual(tags);
      expect(await quiet(subscription, 200)).toBe(true);
      await subscription.return();
    }
  });

  it('keeps an open subscription going across a cut connection, with the events published meanwhile', async () => {
    const prefix = redis.prefix();
    const [gateway, worker] = [bus(prefix), bus(prefix)];
    const subscription = await gateway.subscribe();
    await worker.publish([event('m@v1.0.0')]);
    expect((await take(subscription, 1)).map((e) => e.tag)).toEqual(['m@v1.0.0']);
    // Cut the reader's connection (as a Redis restart or a network blip would), then publish at once.
    const clients = String(await redis.client.client('LIST'));
    const reader = clients.split('\n').find((line) => line.includes(` name=${prefix}events-reader `));
    const id = /\bid=(\d+)/.exec(reader ?? '')?.[1];
    expect(id).toBeDefined();
    await redis.client.client('KILL', 'ID', id ?? '');
    await worker.publish([event('m@v1.0.1'), event('m@v1.0.2'), event('m@v1.0.3')]);
    expect((await take(subscription, 3)).map((e) => e.tag)).toEqual(['m@v1.0.1', 'm@v1.0.2', 'm@v1.0.3']);
    await subscription.return();
  });

  it('fails to publish within its timeout when Redis is down, naming Redis', async () => {
    const down = redis.track(RedisEventBus.create({ url: NO_REDIS, timeoutMs: 500 }));
    const started = Date.now();
    await expect(down.publish([event('m@v1.0.0')])).rejects.toMatchObject({ name: 'UpstreamError', message: expect.stringContaining('Redis at redis://127.0.0.1:1') });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a new subscription while Redis is down', async () => {
    const down = redis.track(RedisEventBus.create({ url: NO_REDIS, timeoutMs: 500 }));
    await expect(down.subscribe()).rejects.toMatchObject({ name: 'UpstreamError' });
  });

  it('lets indexing go on when the events of a snapshot cannot be published, and logs what was lost', async () => {
    const down = redis.track(RedisEventBus.create({ url: NO_REDIS, timeoutMs: 500 }));
    const logged: string[] = [];
    const snapshot = syntheticSnapshot(1, 1);
    const model = snapshot.models[0];
    if (!model) throw new Error('synthetic snapshot without a model');
    model.history = [{ kind: 'REGISTERED', artifact: model.name, version: 'v1.0.0', commit: 'a'.repeat(40), at: '2025-01-01T00:00:00+00:00', timestamp: 1735689600, author: { name: 'Ada', email: 'ada@example.com' }, tag: 'model-0@v1.0.0', message: '' }];
    await expect(publishSnapshotEvents(down, (m) => logged.push(m))([], snapshot)).resolves.toBeUndefined();
    expect(logged).toEqual([expect.stringContaining('1 registry event(s) of github:acme/repo-0001 were not published')]);
  });
});
