/**
 * A real gateway for tests: local Git source over a temp folder, in-memory store, the
 * real HTTP server on port 0, queried over HTTP with fetch.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { Indexer, SourceTagWriter } from '../../src/indexer/index.js';
import type { IndexSummary } from '../../src/indexer/index.js';
import { LocalGitSource } from '../../src/sources/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import { createServer } from '../../src/transport/index.js';
import type { RunningServer } from '../../src/transport/index.js';

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export interface TestGateway {
  url: string;
  indexer: Indexer;
  source: LocalGitSource;
  store: InMemoryRegistryStore;
  server: RunningServer;
  /** One index pass over the folder. */
  index(): Promise<IndexSummary>;
  /** POST /graphql with a typed document. */
  query<R, V>(document: TypedDocumentNode<R, V>, variables?: V): Promise<GraphQLResponse<R>>;
  /** POST /graphql with a query string. */
  raw(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<Record<string, unknown>>>;
  close(): Promise<void>;
}

/** `writer`: the gateway writes GTO tags for the mutations (into the repositories below `root`). */
export async function startTestGateway(root: string, options: { writer?: boolean } = {}): Promise<TestGateway> {
  const source = LocalGitSource.create({ name: 'local', root });
  const store = InMemoryRegistryStore.create();
  const indexer = Indexer.create({ sources: [source], store });
  const server = await createServer({ store, indexer, ...(options.writer ? { writer: SourceTagWriter.create({ sources: [source] }) } : {}), port: 0, log: () => undefined });
  const post = async (query: string, variables?: unknown) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<never>;
  };
  return {
    url: server.url,
    indexer,
    source,
    store,
    server,
    index: () => indexer.indexAll(),
    query: (document, variables) => post(print(document), variables),
    raw: (query, variables) => post(query, variables),
    close: async () => {
      await indexer.stop();
      await server.close();
      await source.close();
    },
  };
}
