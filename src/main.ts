import 'reflect-metadata';
import type { Config } from './config.js';
import { buildDemoRepositories } from './demo/index.js';
import { Indexer } from './indexer/index.js';
import type { IndexSummary } from './indexer/index.js';
import type { Logger } from './log.js';
import { GitHubSource, GitLabSource, LocalGitSource, createGitHubClient, createGitLabClient } from './sources/index.js';
import type { GitSource } from './sources/index.js';
import { InMemoryRegistryStore } from './store/index.js';
import type { RegistryStore } from './store/index.js';
import { createServer } from './transport/index.js';
import type { RunningServer } from './transport/index.js';

/** The composition root: the only place that constructs sources, stores and servers. */

export function createSources(config: Config, log?: Logger): GitSource[] {
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
          ...(log ? { log } : {}),
        });
      case 'gitlab':
        return GitLabSource.create({
          name: source.name,
          client: createGitLabClient({ host: source.url, ...(source.token ? { token: source.token } : {}) }),
          projects: source.projects,
          groups: source.groups,
        });
    }
  });
}

function createStore(config: Config, log: Logger): RegistryStore {
  if (config.redis) log.info(`redis is configured (${redactUrl(config.redis)}), but this version keeps its index in memory; the Redis store is on the way.`);
  return InMemoryRegistryStore.create();
}

export interface Gateway {
  server: RunningServer;
  indexer: Indexer;
  store: RegistryStore;
  stop(): Promise<void>;
}

/** `modelgate serve`: builds the demo if there is no config, then serves while indexing in the background. */
export async function startGateway(config: Config, log: Logger): Promise<Gateway> {
  if (config.demo) {
    const demoDir = config.sources[0]?.kind === 'local' ? config.sources[0].path : undefined;
    if (demoDir) {
      const started = Date.now();
      const demo = await buildDemoRepositories(demoDir);
      log.info(`demo mode (no modelgate.yaml): ${demo.built ? 'built' : 'reusing'} ${demo.repositories.length} demo repositories in ${demoDir} (${Date.now() - started} ms)`);
    }
  }
  const sources = createSources(config, log);
  const store = createStore(config, log);
  const indexer = Indexer.create({ sources, store, log: (m) => log.info(m) });
  const server = await createServer({
    store,
    indexer,
    host: config.listen.host,
    port: config.listen.port,
    log: (message, error) => log.error(message, error),
  });
  indexer.start(config.refresh.intervalMs);
  return {
    server,
    indexer,
    store,
    stop: async () => {
      await indexer.stop();
      await server.close();
      await Promise.all(sources.map((s) => s.close()));
      await store.close();
    },
  };
}

/** `modelgate index`: one pass, then exit. */
export async function indexOnce(config: Config, onProgress?: (done: number, total: number, ref: string) => void): Promise<IndexSummary> {
  if (config.demo && config.sources[0]?.kind === 'local') await buildDemoRepositories(config.sources[0].path);
  const sources = createSources(config);
  const store = InMemoryRegistryStore.create();
  try {
    return await Indexer.create({ sources, store, ...(onProgress ? { onProgress } : {}) }).indexAll();
  } finally {
    await Promise.all(sources.map((s) => s.close()));
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
