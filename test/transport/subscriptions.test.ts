import { describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { InMemoryEventBus, RedisEventBus, publishSnapshotEvents } from '../../src/events/index.js';
import type { EventBus } from '../../src/events/index.js';
import { Indexer } from '../../src/indexer/index.js';
import { LocalGitSource } from '../../src/sources/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import type { RegistryStore } from '../../src/store/index.js';
import { createServer } from '../../src/transport/index.js';
import type { RunningServer } from '../../src/transport/index.js';
import { RegistryEventsDocument } from '../__generated__/operations.js';
import type { RegistryEventsSubscription, RegistryEventsSubscriptionVariables } from '../__generated__/operations.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { TEST_REDIS_URL, useTestRedis } from '../support/redis.js';

type Received = RegistryEventsSubscription['registryEvents'] & { receivedAt: number };
type Filter = NonNullable<RegistryEventsSubscriptionVariables['filter']>;

const SUBSCRIPTION = print(RegistryEventsDocument);
const DVC_YAML = 'artifacts:\n  churn:\n    path: model.pkl\n    type: model\n  fraud:\n    path: fraud.pkl\n';

/** A gateway as `main.ts` wires one: the indexer publishes what it finds on the bus the server subscribes to. */
interface LiveGateway {
  server: RunningServer;
  indexer: Indexer;
  bus: EventBus;
  close(): Promise<void>;
}

async function startLiveGateway(root: string, bus: EventBus, store: RegistryStore): Promise<LiveGateway> {
  const source = LocalGitSource.create({ name: 'local', root });
  const indexer = Indexer.create({ sources: [source], store, onSnapshot: publishSnapshotEvents(bus) });
  const server = await createServer({ store, indexer, events: bus, port: 0, log: () => undefined });
  return {
    server,
    indexer,
    bus,
    close: async () => {
      await indexer.stop();
      await server.close();
      await bus.close();
      await source.close();
    },
  };
}

/** A real graphql-ws client of `server`, over a real WebSocket. */
function wsClient(server: RunningServer, connectionParams?: Record<string, string>): Client {
  return createClient({ url: `${server.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, ...(connectionParams ? { connectionParams } : {}) });
}

async function until(condition: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One `registryEvents` subscription over graphql-ws: what it received, and its errors. */
class Subscriber {
  readonly events: Received[] = [];
  readonly errors: { message: string; extensions?: Record<string, unknown> }[] = [];
  private ended = false;

  /** Subscribes and returns once the gateway's bus counts the subscription (or once it failed). */
  static async start(client: Client, bus: EventBus, filter?: Filter): Promise<Subscriber> {
    const before = bus.subscriberCount;
    const subscriber = new Subscriber();
    // Ended by disposing of the client (a disconnection), as the tests want.
    client.subscribe<RegistryEventsSubscription>(
      { query: SUBSCRIPTION, variables: filter ? { filter } : {} },
      {
        next: (result) => {
          if (result.data) subscriber.events.push({ ...result.data.registryEvents, receivedAt: Date.now() });
          if (result.errors) subscriber.errors.push(...(result.errors as Subscriber['errors']));
        },
        error: (error) => {
          subscriber.errors.push(...(Array.isArray(error) ? error : [{ message: String(error) }]));
          subscriber.ended = true;
        },
        complete: () => {
          subscriber.ended = true;
        },
      },
    );
    await until(() => bus.subscriberCount > before || subscriber.ended || subscriber.errors.length > 0, 'the subscription to reach the bus');
    return subscriber;
  }

  tags(): string[] {
    return this.events.map((e) => e.tag);
  }

  async waitFor(count: number, ms = 2000): Promise<void> {
    await until(() => this.events.length >= count, `${count} events (got ${this.tags().join(', ') || 'none'})`, ms);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const redis = useTestRedis('subscriptions');

const modes: [string, () => { bus: EventBus; store: RegistryStore }][] = [
  ['embedded (no Redis)', () => ({ bus: InMemoryEventBus.create(), store: InMemoryRegistryStore.create() })],
  [
    'Redis',
    () => {
      const prefix = redis.prefix();
      return { bus: RedisEventBus.create({ url: TEST_REDIS_URL, prefix }), store: redis.store({ prefix }) };
    },
  ],
];

describe.each(modes)('Subscription.registryEvents, %s', (mode, parts) => {
  const dir = useTempDir(`modelgate-subscriptions-${mode.split(' ')[0]}`);

  /** A repository `acme/<name>` with two models, `churn@v1.0.0` tagged, and a live gateway that indexed it once. */
  async function setUp(name: string) {
    const repo = await createRepo(dir.path, `acme/${name}`);
    await repo.write({ 'dvc.yaml': DVC_YAML });
    await repo.commit('models', { date: '2025-01-01T10:00:00Z' });
    await repo.tag('churn@v1.0.0', { message: 'first churn', date: '2025-01-01T11:00:00Z' });
    const { bus, store } = parts();
    const gateway = await startLiveGateway(dir.path, bus, store);
    await gateway.indexer.indexAll();
    return { repo, gateway, ref: `local:acme/${name}` };
  }

  it('delivers an event to a subscriber within one second of a new tag being indexed', async () => {
    const { repo, gateway, ref } = await setUp('latency');
    const client = wsClient(gateway.server);
    try {
      const subscriber = await Subscriber.start(client, gateway.bus);
      await repo.tag('churn#prod#1', { message: 'promote', date: '2025-01-02T09:00:00+02:00', tagger: { name: 'Grace', email: 'grace@example.com' } });
      const tagged = Date.now();
      await gateway.indexer.refresh(ref);
      await subscriber.waitFor(1);
      const [received] = subscriber.events;
      expect((received?.receivedAt ?? Infinity) - tagged).toBeLessThan(1000);
      expect(received).toMatchObject({
        kind: 'ASSIGNED',
        tag: 'churn#prod#1',
        stage: 'prod',
        at: '2025-01-02T09:00:00+02:00',
        message: 'promote',
        author: { name: 'Grace', email: 'grace@example.com' },
        model: { ref: `${ref}:churn`, repository: { ref } },
        version: { version: 'v1.0.0', stages: ['prod'] },
      });
      expect(received?.id).toMatch(/^\d+-\d+$/);
    } finally {
      await client.dispose();
      await gateway.close();
    }
  });

  it('gives a subscriber that reconnects with its last id exactly the three events it missed, then live ones', async () => {
    const { repo, gateway, ref } = await setUp('reconnect');
    const first = wsClient(gateway.server);
    const second = wsClient(gateway.server);
    try {
      const before = await Subscriber.start(first, gateway.bus);
      await repo.tag('churn#dev#1', { message: 'dev', date: '2025-01-02T10:00:00Z' });
      await gateway.indexer.refresh(ref);
      await before.waitFor(1);
      const lastId = before.events[0]?.id ?? '';
      await first.dispose();
      await until(() => gateway.bus.subscriberCount === 0, 'the disconnected subscription to end');

      // Missed while away: three refreshes, three events.
      for (const [i, tag] of ['churn#staging#2', 'fraud@v0.1.0', 'churn#prod#3'].entries()) {
        await repo.tag(tag, { message: tag, date: `2025-01-03T1${i}:00:00Z` });
        await gateway.indexer.refresh(ref);
      }

      const after = await Subscriber.start(second, gateway.bus, { since: lastId });
      await after.waitFor(3);
      expect(after.tags()).toEqual(['churn#staging#2', 'fraud@v0.1.0', 'churn#prod#3']);
      await repo.tag('churn#prod!#4', { message: 'rollback', date: '2025-01-04T10:00:00Z' });
      await gateway.indexer.refresh(ref);
      await after.waitFor(4);
      await sleep(200);
      expect(after.tags()).toEqual(['churn#staging#2', 'fraud@v0.1.0', 'churn#prod#3', 'churn#prod!#4']);
      expect(after.errors).toEqual([]);
    } finally {
      await first.dispose();
      await second.dispose();
      await gateway.close();
    }
  });

  it('publishes nothing on the first index of a repository, nor on a re-index that finds nothing new', async () => {
    const repo = await createRepo(dir.path, 'acme/quiet');
    await repo.write({ 'dvc.yaml': DVC_YAML });
    await repo.commit('models', { date: '2025-01-01T10:00:00Z' });
    await repo.tag('churn@v1.0.0', { message: 'v1', date: '2025-01-01T11:00:00Z' });
    await repo.tag('churn#prod#1', { message: 'prod', date: '2025-01-01T12:00:00Z' });
    const { bus, store } = parts();
    const gateway = await startLiveGateway(dir.path, bus, store);
    const client = wsClient(gateway.server);
    try {
      const subscriber = await Subscriber.start(client, gateway.bus);
      expect((await gateway.indexer.indexAll()).updated).toBeGreaterThan(0);
      expect((await gateway.indexer.indexAll()).updated).toBe(0);
      // A marker: the first event the subscriber gets must be this one.
      await repo.tag('fraud@v1.0.0', { message: 'marker', date: '2025-01-02T10:00:00Z' });
      await gateway.indexer.refresh('local:acme/quiet');
      await subscriber.waitFor(1);
      await sleep(100);
      expect(subscriber.tags()).toEqual(['fraud@v1.0.0']);
    } finally {
      await client.dispose();
      await gateway.close();
    }
  });
});

describe('Subscription.registryEvents filters and errors', () => {
  const dir = useTempDir('modelgate-subscriptions-filters');

  it('delivers to each subscriber only what its filter asks for: repository, model, kinds and stage', async () => {
    const churn = await createRepo(dir.path, 'acme/churn');
    const other = await createRepo(dir.path, 'acme/other');
    for (const repo of [churn, other]) {
      await repo.write({ 'dvc.yaml': DVC_YAML });
      await repo.commit('models', { date: '2025-01-01T10:00:00Z' });
      await repo.tag('churn@v1.0.0', { message: 'v1', date: '2025-01-01T11:00:00Z' });
    }
    const bus = InMemoryEventBus.create();
    const gateway = await startLiveGateway(dir.path, bus, InMemoryRegistryStore.create());
    await gateway.indexer.indexAll();
    const client = wsClient(gateway.server);
    try {
      const filters: [Filter, string[]][] = [
        [{ repository: 'local:acme/other' }, ['other churn@v1.1.0']],
        [{ model: 'local:acme/churn:fraud' }, ['churn fraud@v0.1.0']],
        [{ kinds: ['ASSIGNED', 'UNASSIGNED'] }, ['churn churn#prod#1', 'churn churn#dev#2', 'churn churn#prod!#3']],
        [{ stage: 'prod' }, ['churn churn#prod#1', 'churn churn#prod!#3']],
        [{ repository: 'local:acme/churn', kinds: ['REGISTERED'] }, ['churn fraud@v0.1.0']],
        [{ kinds: [] }, ['churn churn#prod#1', 'churn churn#dev#2', 'churn fraud@v0.1.0', 'churn churn#prod!#3', 'other churn@v1.1.0']],
      ];
      const subscribers = await Promise.all(filters.map(([filter]) => Subscriber.start(client, bus, filter)));
      await churn.tag('churn#prod#1', { message: 'prod', date: '2025-01-02T10:00:00Z' });
      await churn.tag('churn#dev#2', { message: 'dev', date: '2025-01-02T11:00:00Z' });
      await churn.tag('fraud@v0.1.0', { message: 'fraud', date: '2025-01-02T12:00:00Z' });
      await churn.tag('churn#prod!#3', { message: 'unassign', date: '2025-01-02T13:00:00Z' });
      await gateway.indexer.refresh('local:acme/churn');
      await other.tag('churn@v1.1.0', { message: 'v1.1', date: '2025-01-03T10:00:00Z' });
      await gateway.indexer.refresh('local:acme/other');
      for (const [i, subscriber] of subscribers.entries()) await subscriber.waitFor(filters[i]?.[1].length ?? 0);
      await sleep(200);
      expect(subscribers.map((s) => s.events.map((e) => `${e.model.repository.ref.slice('local:acme/'.length)} ${e.tag}`))).toEqual(filters.map(([, expected]) => expected));
    } finally {
      await client.dispose();
      await gateway.close();
    }
  });

  it.each<[string, Filter, string]>([
    ['a malformed repository ref', { repository: 'acme/churn' }, 'is not a repository ref'],
    ['a malformed model ref', { model: 'churn' }, 'is not a model ref'],
    ['a since that is not an event id', { since: 'yesterday' }, 'is not an event id'],
  ])('answers %s with BAD_USER_INPUT and what was expected', async (_what, filter, message) => {
    const bus = InMemoryEventBus.create();
    const server = await createServer({ store: InMemoryRegistryStore.create(), events: bus, port: 0, log: () => undefined });
    const client = wsClient(server);
    try {
      const subscriber = await Subscriber.start(client, bus, filter);
      await until(() => subscriber.errors.length > 0, 'an error');
      expect(subscriber.errors).toEqual([expect.objectContaining({ message: expect.stringContaining(message), extensions: { code: 'BAD_USER_INPUT' } })]);
      expect(bus.subscriberCount).toBe(0);
    } finally {
      await client.dispose();
      await server.close();
    }
  });

  it('ends open subscriptions when the server closes', async () => {
    const bus = InMemoryEventBus.create();
    const server = await createServer({ store: InMemoryRegistryStore.create(), events: bus, port: 0, log: () => undefined });
    const client = wsClient(server);
    try {
      await Subscriber.start(client, bus);
      expect(bus.subscriberCount).toBe(1);
      await server.close();
      await until(() => bus.subscriberCount === 0, 'the subscription to end');
    } finally {
      await client.dispose();
    }
  });
});

describe('Subscription.registryEvents across gateway instances on one Redis', () => {
  const dir = useTempDir('modelgate-subscriptions-scale');

  it('delivers each event indexed by a worker once to every subscriber of every gateway', async () => {
    const repo = await createRepo(dir.path, 'acme/churn');
    await repo.write({ 'dvc.yaml': DVC_YAML });
    await repo.commit('models', { date: '2025-01-01T10:00:00Z' });
    await repo.tag('churn@v1.0.0', { message: 'v1', date: '2025-01-01T11:00:00Z' });
    const prefix = redis.prefix();
    const store = redis.store({ prefix });
    // The worker: indexes and publishes, serves nothing.
    const source = LocalGitSource.create({ name: 'local', root: dir.path });
    const workerBus = redis.track(RedisEventBus.create({ url: TEST_REDIS_URL, prefix }));
    const worker = Indexer.create({ sources: [source], store, onSnapshot: publishSnapshotEvents(workerBus) });
    await worker.indexAll();
    // Two gateways: serve and subscribe, index nothing.
    const buses = [RedisEventBus.create({ url: TEST_REDIS_URL, prefix }), RedisEventBus.create({ url: TEST_REDIS_URL, prefix })];
    const servers = await Promise.all(buses.map((bus) => createServer({ store, events: bus, port: 0, log: () => undefined })));
    const clients = servers.map((server) => wsClient(server));
    try {
      const subscribers = [
        await Subscriber.start(clients[0] as Client, buses[0] as EventBus),
        await Subscriber.start(clients[0] as Client, buses[0] as EventBus),
        await Subscriber.start(clients[1] as Client, buses[1] as EventBus),
        await Subscriber.start(clients[1] as Client, buses[1] as EventBus),
      ];
      const tags = ['churn#dev#1', 'fraud@v0.1.0', 'churn#prod#2'];
      for (const [i, tag] of tags.entries()) {
        await repo.tag(tag, { message: tag, date: `2025-01-02T1${i}:00:00Z` });
        await worker.refresh('local:acme/churn');
      }
      for (const subscriber of subscribers) await subscriber.waitFor(3);
      await sleep(300);
      for (const subscriber of subscribers) {
        expect(subscriber.tags()).toEqual(tags);
        expect(subscriber.events.map((e) => e.model.ref)).toEqual(['local:acme/churn:churn', 'local:acme/churn:fraud', 'local:acme/churn:churn']);
      }
      // One stream, so one id per event, whichever gateway delivered it.
      expect(new Set(subscribers.flatMap((s) => s.events.map((e) => e.id))).size).toBe(3);
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
      await Promise.all(servers.map((server) => server.close()));
      await Promise.all(buses.map((bus) => bus.close()));
      await source.close();
    }
  });
});
