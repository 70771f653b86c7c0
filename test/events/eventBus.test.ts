import { describe, expect, it } from '@jest/globals';
import { InMemoryEventBus, RedisEventBus, compareEventIds } from '../../src/events/index.js';
import type { EventBus, EventFilter } from '../../src/events/index.js';
import { TEST_REDIS_URL, useTestRedis } from '../support/redis.js';
import { event, quiet, take } from './eventHelpers.js';

const redis = useTestRedis('event-bus');

const buses: [string, (options?: { keep?: number }) => EventBus][] = [
  ['InMemoryEventBus', (options = {}) => InMemoryEventBus.create({ ...(options.keep ? { capacity: options.keep } : {}) })],
  ['RedisEventBus', (options = {}) => redis.track(RedisEventBus.create({ url: TEST_REDIS_URL, prefix: redis.prefix(), ...(options.keep ? { maxLength: options.keep } : {}) }))],
];

describe.each(buses)('%s', (_name, createBus) => {
  it('delivers the events published after subscribing, in order, with increasing ids', async () => {
    const bus = createBus();
    const subscription = await bus.subscribe();
    const published = await bus.publish([event('churn@v1.0.0'), event('churn@v1.1.0'), event('churn#prod#1')]);
    const received = await take(subscription, 3);
    expect(received.map((e) => e.tag)).toEqual(['churn@v1.0.0', 'churn@v1.1.0', 'churn#prod#1']);
    expect(received.map((e) => e.id)).toEqual(published.map((e) => e.id));
    const ids = received.map((e) => e.id);
    expect([...ids].sort(compareEventIds)).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    await subscription.return();
  });

  it('does not deliver events published before subscribing when no since is given', async () => {
    const bus = createBus();
    await bus.publish([event('churn@v1.0.0')]);
    const subscription = await bus.subscribe();
    await bus.publish([event('churn@v1.1.0')]);
    expect((await take(subscription, 1)).map((e) => e.tag)).toEqual(['churn@v1.1.0']);
    await subscription.return();
  });

  it('replays exactly the events after since, then continues with live ones', async () => {
    const bus = createBus();
    const [first] = await bus.publish([event('a@v1.0.0')]);
    await bus.publish([event('b@v1.0.0'), event('c@v1.0.0'), event('d@v1.0.0')]);
    const subscription = await bus.subscribe({ since: first?.id });
    await bus.publish([event('e@v1.0.0')]);
    expect((await take(subscription, 4)).map((e) => e.tag)).toEqual(['b@v1.0.0', 'c@v1.0.0', 'd@v1.0.0', 'e@v1.0.0']);
    expect(await quiet(subscription)).toBe(true);
    await subscription.return();
  });

  it.each<[string, EventFilter, string[]]>([
    ['repository', { repository: 'local:acme/fraud' }, ['fraud@v1.0.0']],
    ['model', { model: 'local:acme/churn:nlp:sentiment' }, ['nlp=sentiment@v1.0.0']],
    ['kinds', { kinds: ['ASSIGNED', 'DEPRECATED'] }, ['churn#prod#1', 'churn#dev#2', 'churn@deprecated']],
    ['stage', { stage: 'prod' }, ['churn#prod#1']],
    ['stage and kinds together', { stage: 'dev', kinds: ['UNASSIGNED'] }, ['churn#dev!#3']],
  ])('delivers only the events matching a %s filter', async (_what, filter, expected) => {
    const bus = createBus();
    const subscription = await bus.subscribe({ filter });
    await bus.publish([
      event('churn@v1.0.0'),
      event('fraud@v1.0.0', { repository: 'local:acme/fraud', model: 'local:acme/fraud:fraud', artifact: 'fraud' }),
      event('nlp=sentiment@v1.0.0', { model: 'local:acme/churn:nlp:sentiment', artifact: 'nlp:sentiment' }),
      event('churn#prod#1', { kind: 'ASSIGNED', stage: 'prod' }),
      event('churn#dev#2', { kind: 'ASSIGNED', stage: 'dev' }),
      event('churn#dev!#3', { kind: 'UNASSIGNED', stage: 'dev' }),
      event('churn@deprecated', { kind: 'DEPRECATED' }),
    ]);
    expect((await take(subscription, expected.length)).map((e) => e.tag)).toEqual(expected);
    expect(await quiet(subscription)).toBe(true);
    await subscription.return();
  });

  it('ends a waiting subscription when it is returned, and forgets it', async () => {
    const bus = createBus();
    const subscription = await bus.subscribe();
    expect(bus.subscriberCount).toBe(1);
    const pending = subscription.next();
    await subscription.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(bus.subscriberCount).toBe(0);
  });

  it('refuses a since older than the events it still keeps, saying so', async () => {
    // Redis trims whole stream nodes (100 entries by default), so enough events to drop some.
    const bus = createBus({ keep: 10 });
    const published = await bus.publish(Array.from({ length: 250 }, (_, i) => event(`m@v0.0.${i}`)));
    await expect(bus.subscribe({ since: published[0]?.id })).rejects.toMatchObject({ name: 'NotFoundError', message: expect.stringContaining('no longer all kept') });
    const recent = await bus.subscribe({ since: published.at(-2)?.id });
    expect((await take(recent, 1)).map((e) => e.tag)).toEqual(['m@v0.0.249']);
    await recent.return();
  });

  it('refuses a since that is not an event id, with an example of one', async () => {
    const bus = createBus();
    await expect(bus.subscribe({ since: 'yesterday' })).rejects.toMatchObject({ name: 'InputError', message: expect.stringContaining('1718000000000-0') });
  });

  it('ends every subscription when closed', async () => {
    const bus = createBus();
    const subscription = await bus.subscribe();
    const pending = subscription.next();
    await bus.close();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});
