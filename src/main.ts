import 'reflect-metadata';
import { configSecrets } from './config.js';
import type { Config } from './config.js';
import { buildDemoRepositories } from './demo/index.js';
import { Redis } from 'ioredis';
import { ConfigError } from './errors.js';
import { InMemoryEventBus, RedisEventBus, publishSnapshotEvents } from './events/index.js';
import type { EventBus } from './events/index.js';
import { IndexJobs, Indexer, SourceTagWriter } from './indexer/index.js';
import type { IndexSummary } from './indexer/index.js';
import { createRedactor } from './log.js';
import type { Logger } from './log.js';
import { GitHubSource, GitLabSource, LocalGitSource, createGitHubClient, createGitLabClient } from './sources/index.js';
import type { GitSource, ObjectCache } from './sources/index.js';
import { InMemoryRegistryStore, RedisDeliveryLog, RedisObjectCache, RedisRegistryStore, redactRedisUrl, redisKeys } from './store/index.js';
import type { RegistryStore } from './store/index.js';
import { createServer, createWebhookRouter } from './transport/index.js';
import type { RunningServer } from './transport/index.js';

/** The composition root: the only place that constructs sources, stores and servers. */

/**
 * The configured sources. `objectCache` (Redis deployments) keeps what the hosted sources read
 * by SHA across restarts and workers, so nothing immutable is fetched from a host twice.
 */
export function createSources(config: Config, log?: Logger, objectCache?: ObjectCache): GitSource[] {
  const cache = objectCache ? { objectCache } : {};
  return config.sources.map((source) => {
    switch (source.kind) {
      case 'local':
        return LocalGitSource.create({ name: source.name, root: source.path });
      case 'github':
        return GitHubSource.create({
          name: source.name,
          baseUrl: source.url,
          // A factory, so the source counts every request it sends (retries and 304s included).
          client: (onRequest) => createGitHubClient({ baseUrl: source.url, ...(source.token ? { token: source.token } : {}), onRequest, ...(log ? { log } : {}) }),
          repos: source.repos,
          orgs: source.orgs,
          ...(source.refsCheck ? { refsCheck: source.refsCheck } : {}),
          // Mutations write tags with the caller's own token, never the indexing one.
          writeClient: (token: string) => createGitHubClient({ baseUrl: source.url, token, ...(log ? { log } : {}) }),
          ...cache,
          ...(log ? { log } : {}),
        });
      case 'gitlab':
        return GitLabSource.create({
          name: source.name,
          client: createGitLabClient({ host: source.url, ...(source.token ? { token: source.token } : {}) }),
          projects: source.projects,
          groups: source.groups,
          writeClient: (token: string) => createGitLabClient({ host: source.url, token }),
          ...cache,
          ...(log ? { log } : {}),
        });
    }
  });
}

/** With Redis: the hosted sources' cache of immutable objects, on a client that fails fast while Redis is away (a miss, never a wait). */
function createObjectCache(config: Config): { cache?: ObjectCache; close(): Promise<void> } {
  if (!config.redis) return { close: async () => {} };
  const client = new Redis(config.redis, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, lazyConnect: false });
  client.on('error', () => {}); // RedisObjectCache says once per outage that it reads from the hosts meanwhile.
  return { cache: RedisObjectCache.create({ client, prefix: config.redisPrefix }), close: () => client.quit().then(() => undefined, () => undefined) };
}

/** Where registry events go: a Redis stream every gateway reads (with Redis), or this process's memory. */
function createEventBus(config: Config, log?: Logger): EventBus {
  return config.redis
    ? RedisEventBus.create({ url: config.redis, prefix: config.redisPrefix, maxLength: config.events.keep, ...(log ? { log: (m) => log.error(m) } : {}) })
    : InMemoryEventBus.create({ capacity: config.events.keep });
}

function createStore(config: Config, log?: Logger): RegistryStore {
  if (!config.redis) return InMemoryRegistryStore.create();
  const onCorrupt = (ref: string) => log?.error(`the index of ${ref} in Redis was corrupt; it was dropped and the next pass indexes it again.`);
  return RedisRegistryStore.create({ url: config.redis, prefix: config.redisPrefix, onCorrupt });
}

/** The job runner on Redis: BullMQ's blocking workers need `maxRetriesPerRequest: null`. */
async function startJobs(config: Config & { redis: string }, sources: GitSource[], indexer: Indexer, work: boolean, log: Logger): Promise<{ jobs: IndexJobs; connection: Redis }> {
  const connection = new Redis(config.redis, { maxRetriesPerRequest: null, lazyConnect: false });
  let reported = false;
  connection.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    log.error(`Redis at ${redactRedisUrl(config.redis)} is not answering (${error.message}); indexing jobs wait until it does.`);
  });
  connection.on('ready', () => {
    reported = false;
  });
  const jobs = await IndexJobs.start({
    indexer,
    sources,
    connection,
    keys: redisKeys(config.redisPrefix),
    intervalMs: config.refresh.intervalMs,
    work,
    ...(config.refresh.stallAfterMs !== undefined ? { stallAfterMs: config.refresh.stallAfterMs } : {}),
    log: (m) => log.info(m),
  });
  return { jobs, connection };
}

export interface Gateway {
  server: RunningServer;
  indexer: Indexer;
  /** The job runner, when a Redis is configured. */
  jobs?: IndexJobs;
  store: RegistryStore;
  /** Where the indexer publishes registry events and subscriptions read them. */
  events: EventBus;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** Run indexing jobs in this process too (Redis deployments). Default true; `serve --no-worker` says false. */
  worker?: boolean;
}

/**
 * `modelgate serve`: builds the demo if there is no config, then serves while indexing in the
 * background. Without Redis the embedded indexer runs a pass every interval in this process;
 * with Redis, passes are BullMQ jobs shared by every `serve` and `worker` on that Redis, and a
 * restart on a warm Redis serves its index at once.
 */
export async function startGateway(config: Config, log: Logger, options: GatewayOptions = {}): Promise<Gateway> {
  if (config.demo) {
    const demoDir = config.sources[0]?.kind === 'local' ? config.sources[0].path : undefined;
    if (demoDir) {
      const started = Date.now();
      const demo = await buildDemoRepositories(demoDir);
      log.info(`demo mode (no modelgate.yaml): ${demo.built ? 'built' : 'reusing'} ${demo.repositories.length} demo repositories in ${demoDir} (${Date.now() - started} ms)`);
    }
  }
  const objects = createObjectCache(config);
  const sources = createSources(config, log, objects.cache);
  const store = createStore(config, log);
  const events = createEventBus(config, log);
  const indexer = Indexer.create({ sources, store, onSnapshot: publishSnapshotEvents(events, (m) => log.error(m)), log: (m) => log.info(m) });
  const redis = config.redis;
  const running = redis ? await startJobs({ ...config, redis }, sources, indexer, options.worker ?? true, log) : undefined;
  const control = running?.jobs ?? indexer;
  const server = await createServer({
    store,
    indexer: control,
    events,
    writer: SourceTagWriter.create({ sources }),
    // Deliveries are remembered in Redis when there is one, so gateways behind a load balancer drop the same duplicates.
    webhooks: createWebhookRouter({
      sources: config.sources,
      enqueue: (ref) => control.enqueue(ref),
      ...(running ? { deliveries: RedisDeliveryLog.create({ client: running.connection, prefix: config.redisPrefix }) } : {}),
      log,
    }),
    host: config.listen.host,
    port: config.listen.port,
    limits: config.limits,
    redact: createRedactor(configSecrets(config)),
    log: (message, error) => log.error(message, error),
  });
  if (!running) indexer.start(config.refresh.intervalMs);
  return {
    server,
    indexer,
    ...(running ? { jobs: running.jobs } : {}),
    store,
    events,
    stop: async () => {
      await indexer.stop();
      await running?.jobs.stop();
      await server.close();
      await events.close();
      await Promise.all(sources.map((s) => s.close()));
      await store.close();
      await objects.close();
      await running?.connection.quit().catch(() => undefined);
    },
  };
}

export interface Worker {
  jobs: IndexJobs;
  stop(): Promise<void>;
}

/** `modelgate worker`: runs indexing jobs from the shared Redis, serves nothing. */
export async function startWorker(config: Config, log: Logger): Promise<Worker> {
  const redis = config.redis;
  if (!redis) throw new ConfigError('`modelgate worker` takes its jobs from Redis: set `redis:` in the config (or REDIS_URL). Without Redis, `modelgate serve` indexes in its own process.', config.file, 'redis');
  // Demo mode: the same demo repositories as the gateway (reused when it built them already).
  if (config.demo && config.sources[0]?.kind === 'local') await buildDemoRepositories(config.sources[0].path);
  const objects = createObjectCache(config);
  const sources = createSources(config, log, objects.cache);
  const store = createStore(config, log);
  // The worker publishes what its jobs find; the gateways' readers fan it out to their subscribers.
  const events = createEventBus(config, log);
  const indexer = Indexer.create({ sources, store, onSnapshot: publishSnapshotEvents(events, (m) => log.error(m)), log: (m) => log.info(m) });
  const { jobs, connection } = await startJobs({ ...config, redis }, sources, indexer, true, log);
  return {
    jobs,
    stop: async () => {
      await jobs.stop();
      await events.close();
      await Promise.all(sources.map((s) => s.close()));
      await store.close();
      await objects.close();
      await connection.quit().catch(() => undefined);
    },
  };
}

/** `modelgate index`: one pass, then exit. */
export async function indexOnce(config: Config, onProgress?: (done: number, total: number, ref: string) => void): Promise<IndexSummary> {
  if (config.demo && config.sources[0]?.kind === 'local') await buildDemoRepositories(config.sources[0].path);
  const objects = createObjectCache(config);
  const sources = createSources(config, undefined, objects.cache);
  // With Redis, the pass lands in the shared index (gateways serve it at once); otherwise it is thrown away.
  const store = createStore(config);
  // With Redis, what the pass finds reaches the gateways' subscribers like a worker's would.
  const events = createEventBus(config);
  try {
    return await Indexer.create({ sources, store, onSnapshot: publishSnapshotEvents(events), ...(onProgress ? { onProgress } : {}) }).indexAll();
  } finally {
    await events.close();
    await Promise.all(sources.map((s) => s.close()));
    await store.close();
    await objects.close();
  }
}

