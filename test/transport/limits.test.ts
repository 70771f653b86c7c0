import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getIntrospectionQuery, print } from 'graphql';
import { createClient } from 'graphql-ws';
import type { FormattedExecutionResult } from 'graphql';
import { WebSocket } from 'ws';
import type { Limits } from '../../src/graphql/limits/index.js';
import { Indexer } from '../../src/indexer/index.js';
import { LocalGitSource } from '../../src/sources/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import type { RegistryStore } from '../../src/store/index.js';
import { createServer } from '../../src/transport/index.js';
import type { RunningServer } from '../../src/transport/index.js';
import { ModelsDocument, RepositoriesDocument } from '../__generated__/operations.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';

interface Answer {
  status: number;
  contentType: string;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string; limit?: number; actual?: number } }[] };
}

async function post(server: RunningServer, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Answer> {
  const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : { text } };
}

const errorOf = (answer: Answer) => answer.body.errors?.[0];

/** Eight levels: models › nodes › latestVersion › model › repository › models › nodes › ref. */
const DEEP = '{ models { nodes { latestVersion { model { repository { models { nodes { ref } } } } } } } }';
/** The same depth, hidden in fragments. */
const DEEP_IN_FRAGMENTS = `
  query { models { nodes { ...Latest } } }
  fragment Latest on Model { latestVersion { ...Owner } }
  fragment Owner on ModelVersion { model { repository { models { nodes { ref } } } } }`;
/** Costs about first × first × 4: each repository's page of models, each with three fields. */
const NESTED_PAGES = 'query ($first: Int) { repositories(first: $first) { nodes { ref models(first: $first) { nodes { ref name type } } } } }';

const SMALL: Partial<Limits> = { depth: 6, cost: 500, pageSize: 20, documentBytes: 2048, aliases: 3, batch: 2 };

describe('limits on what one operation may ask', () => {
  const dir = useTempDir('modelgate-limits');
  let store: InMemoryRegistryStore;
  let source: LocalGitSource;
  let small: RunningServer;
  let defaults: RunningServer;
  let closed: RunningServer;

  beforeAll(async () => {
    const repo = await createRepo(dir.path, 'acme/churn');
    await repo.write({ 'dvc.yaml': 'artifacts:\n  churn:\n    path: model.pkl\n    type: model\n' });
    await repo.commit('model', { date: '2025-01-10T09:00:00Z' });
    await repo.tag('churn@v1.0.0', { message: 'first', date: '2025-01-10T10:00:00Z' });
    source = LocalGitSource.create({ name: 'local', root: dir.path });
    store = InMemoryRegistryStore.create();
    const indexer = Indexer.create({ sources: [source], store });
    await indexer.indexAll();
    small = await createServer({ store, indexer, port: 0, limits: SMALL, log: () => undefined });
    defaults = await createServer({ store, indexer, port: 0, log: () => undefined });
    closed = await createServer({ store, indexer, port: 0, limits: { introspection: false }, log: () => undefined });
  });

  afterAll(async () => {
    await Promise.all([small.close(), defaults.close(), closed.close()]);
    await source.close();
  });

  it('refuses a query nested deeper than limits.depth with QUERY_TOO_DEEP, naming the limit and the depth', async () => {
    const answer = await post(small, { query: DEEP });
    expect(answer.status).toBe(400);
    expect(errorOf(answer)?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', limit: 6, actual: 8 });
    expect(errorOf(answer)?.message).toMatch(/8 levels deep; the limit is 6 \(limits\.depth\)/);
    expect(answer.body.data).toBeUndefined();
  });

  it('counts the depth of fragments where they are spread', async () => {
    const answer = await post(small, { query: DEEP_IN_FRAGMENTS });
    expect(errorOf(answer)?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', actual: 8 });
  });

  it('answers the same deep query when the depth limit allows it', async () => {
    const answer = await post(defaults, { query: DEEP });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual({ models: { nodes: [{ latestVersion: { model: { repository: { models: { nodes: [{ ref: 'local:acme/churn:churn' }] } } } } }] } });
  });

  it('refuses a query whose estimated cost exceeds limits.cost with QUERY_TOO_COSTLY, counting pages given in variables', async () => {
    const answer = await post(small, { query: NESTED_PAGES, variables: { first: 20 } });
    expect(answer.status).toBe(400);
    expect(errorOf(answer)?.extensions?.code).toBe('QUERY_TOO_COSTLY');
    expect(errorOf(answer)?.extensions?.limit).toBe(500);
    // repositories + 20 × (nodes + ref + models + 20 × (nodes + ref + name + type))
    expect(errorOf(answer)?.extensions?.actual).toBe(1 + 20 * (3 + 20 * 4));
    expect(errorOf(answer)?.message).toMatch(/limits\.cost.*smaller pages/);
  });

  it('answers the same query with pages small enough to stay under the cost limit', async () => {
    const answer = await post(small, { query: NESTED_PAGES, variables: { first: 5 } });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual({ repositories: { nodes: [{ ref: 'local:acme/churn', models: { nodes: [{ ref: 'local:acme/churn:churn', name: 'churn', type: 'model' }] } }] } });
  });

  it('refuses a page larger than limits.pageSize with PAGE_TOO_LARGE instead of truncating it', async () => {
    const answer = await post(small, { query: print(ModelsDocument), variables: { first: 21 } });
    expect(answer.status).toBe(400);
    expect(errorOf(answer)?.extensions).toMatchObject({ code: 'PAGE_TOO_LARGE', limit: 20, actual: 21 });
    expect(errorOf(answer)?.message).toMatch(/first must be between 0 and 20, got 21 on `models`.*`after`/);
    expect(answer.body.data).toBeUndefined();
  });

  it('refuses a page size written in the document itself', async () => {
    const answer = await post(small, { query: '{ repositories(first: 50) { totalCount } }' });
    expect(errorOf(answer)?.extensions).toMatchObject({ code: 'PAGE_TOO_LARGE', actual: 50 });
  });

  it('refuses a body larger than limits.documentBytes with a GraphQL error, not an HTML 413 page', async () => {
    const query = `{ models { totalCount } } # ${'x'.repeat(3000)}`;
    const answer = await post(small, { query });
    expect(answer.status).toBe(413);
    expect(answer.contentType).toMatch(/application\/json/);
    expect(errorOf(answer)?.extensions).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', limit: 2048 });
    expect(errorOf(answer)?.message).toMatch(/limit is 2048 bytes \(limits\.documentBytes\)/);
  });

  it('refuses more aliases than limits.aliases with TOO_MANY_ALIASES', async () => {
    const answer = await post(small, { query: '{ a: indexStatus { ready } b: indexStatus { ready } c: indexStatus { ready } d: indexStatus { ready } }' });
    expect(errorOf(answer)?.extensions).toMatchObject({ code: 'TOO_MANY_ALIASES', limit: 3, actual: 4 });
  });

  it('answers a batch within limits.batch, one result per operation', async () => {
    const answer = await post(small, [{ query: '{ models { totalCount } }' }, { query: '{ repositories { totalCount } }' }]);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([{ data: { models: { totalCount: 1 } } }, { data: { repositories: { totalCount: 1 } } }]);
  });

  it('refuses a batch larger than limits.batch with BATCH_TOO_LARGE', async () => {
    const one = { query: '{ models { totalCount } }' };
    const answer = await post(small, [one, one, one]);
    expect(answer.status).toBe(400);
    expect(errorOf(answer)?.extensions).toMatchObject({ code: 'BATCH_TOO_LARGE', limit: 2, actual: 3 });
  });

  it('refuses batches with BATCH_TOO_LARGE when batching is off, as it is by default', async () => {
    const answer = await post(defaults, [{ query: '{ models { totalCount } }' }]);
    expect(errorOf(answer)?.extensions?.code).toBe('BATCH_TOO_LARGE');
    expect(errorOf(answer)?.message).toMatch(/batching is off/);
  });

  it('refuses introspection with INTROSPECTION_DISABLED when introspection is false, and still answers __typename', async () => {
    const refused = await post(closed, { query: getIntrospectionQuery() });
    expect(errorOf(refused)?.extensions?.code).toBe('INTROSPECTION_DISABLED');
    expect(refused.body.errors).toHaveLength(1);
    const typename = await post(closed, { query: '{ __typename models { totalCount } }' });
    expect(typename.body).toEqual({ data: { __typename: 'Query', models: { totalCount: 1 } } });
  });

  it('answers GraphiQL’s introspection query and the committed dashboard queries under the default limits', async () => {
    const introspection = await post(defaults, { query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, specifiedByUrl: true }) });
    expect(introspection.body.errors).toBeUndefined();
    const repositories = await post(defaults, { query: print(RepositoriesDocument), variables: { first: 100 } });
    expect(repositories.body.errors).toBeUndefined();
    const models = await post(defaults, { query: print(ModelsDocument), variables: { first: 100 } });
    expect(models.body.errors).toBeUndefined();
  });

  it('blocks a simple cross-site POST (text/plain, no preflight) as a possible CSRF', async () => {
    const answer = await post(defaults, JSON.stringify({ query: '{ models { totalCount } }' }), { 'content-type': 'text/plain' });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toMatch(/Cross-Site Request Forgery/);
  });

  it('applies the same limits to operations sent over graphql-ws', async () => {
    const client = createClient({ url: `${small.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    const run = (query: string, variables?: Record<string, unknown>) =>
      new Promise<unknown>((resolve) => {
        client.subscribe({ query, ...(variables ? { variables } : {}) }, { next: (result: FormattedExecutionResult) => resolve(result), error: (error) => resolve(error), complete: () => undefined });
      });
    try {
      const deep = (await run(DEEP)) as { extensions?: { code?: string } }[];
      expect(deep[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
      const page = (await run(print(ModelsDocument), { first: 21 })) as { extensions?: { code?: string } }[];
      expect(page[0]?.extensions?.code).toBe('PAGE_TOO_LARGE');
      const fine = (await run('{ models { totalCount } }')) as FormattedExecutionResult;
      expect(fine).toEqual({ data: { models: { totalCount: 1 } } });
    } finally {
      await client.dispose();
    }
  });
});

/** A real store that takes `delayMs` to list models, recording which reads it was asked for. */
function slowStore(store: RegistryStore, delayMs: number, reads: string[]): RegistryStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        reads.push(String(property));
        if (property === 'listModels') await new Promise((resolve) => setTimeout(resolve, delayMs));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('the execution timeout', () => {
  const dir = useTempDir('modelgate-timeout');
  let store: InMemoryRegistryStore;
  let source: LocalGitSource;

  beforeAll(async () => {
    const repo = await createRepo(dir.path, 'acme/churn');
    await repo.write({ 'dvc.yaml': 'artifacts:\n  churn:\n    path: model.pkl\n' });
    await repo.commit('model', { date: '2025-01-10T09:00:00Z' });
    source = LocalGitSource.create({ name: 'local', root: dir.path });
    store = InMemoryRegistryStore.create();
    await Indexer.create({ sources: [source], store }).indexAll();
  });

  afterAll(async () => {
    await source.close();
  });

  const QUERY = '{ models { nodes { ref repository { ref } } } }';

  it('answers TIMEOUT at limits.timeout and starts no resolver after the deadline', async () => {
    const reads: string[] = [];
    const server = await createServer({ store: slowStore(store, 1500, reads), port: 0, limits: { timeoutMs: 150 }, log: () => undefined });
    try {
      const started = Date.now();
      const answer = await post(server, { query: QUERY });
      // Answered at the deadline, long before the slow read returns.
      expect(Date.now() - started).toBeLessThan(1200);
      expect(answer.status).toBe(504);
      expect(errorOf(answer)?.extensions).toMatchObject({ code: 'TIMEOUT', limit: 150 });
      expect(errorOf(answer)?.message).toMatch(/longer than 150 ms \(limits\.timeout\)/);
      // The slow read finishes later; nothing under it may start.
      await new Promise((resolve) => setTimeout(resolve, 1600));
      expect(reads).toContain('listModels');
      expect(reads).not.toContain('getRepositories');
    } finally {
      await server.close();
    }
  });

  it('answers the same slow query in full when it finishes within the timeout', async () => {
    const reads: string[] = [];
    const server = await createServer({ store: slowStore(store, 600, reads), port: 0, limits: { timeoutMs: 5000 }, log: () => undefined });
    try {
      const answer = await post(server, { query: QUERY });
      expect(answer.body).toEqual({ data: { models: { nodes: [{ ref: 'local:acme/churn:churn', repository: { ref: 'local:acme/churn' } }] } } });
      expect(reads).toContain('getRepositories');
    } finally {
      await server.close();
    }
  });
});
