/**
 * Real Redis for tests: every test file gets its own key prefix (and every test a prefix
 * under it), and everything under the file's prefix is removed afterwards with SCAN +
 * UNLINK, so tests never see each other's keys nor leave any behind.
 */
import { randomBytes } from 'node:crypto';
import { afterAll } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisRegistryStore } from '../../src/store/index.js';
import type { RedisRegistryStoreOptions } from '../../src/store/index.js';

/** The Redis the tests use; `.ci/run` makes sure one answers here. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client for tests (assertions on keys, counting round trips); quit it, or let `useTestRedis` do it. */
export function createTestClient(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

/** Escapes the glob characters of SCAN's MATCH, so a prefix matches only itself. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** Every key under `prefix` (SCAN, never KEYS: other tests and people share this Redis). */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return [...new Set(keys)].sort();
}

/** UNLINKs every key under `prefix`; returns how many there were. */
export async function deleteKeysUnder(client: Redis, prefix: string): Promise<number> {
  const keys = await keysUnder(client, prefix);
  for (let i = 0; i < keys.length; i += 500) await client.unlink(...keys.slice(i, i + 500));
  return keys.length;
}

/** What `useTestRedis` hands a test file. */
export interface TestRedis {
  /** A prefix no other test (file, process or run) uses, under this file's prefix. */
  prefix(): string;
  /** A shared client for looking at keys; quit after the file. */
  readonly client: Redis;
  /** A store under a fresh prefix (unless given one), closed after the file. */
  store(options?: Partial<Omit<RedisRegistryStoreOptions, 'client' | 'url'>>): RedisRegistryStore;
  /** Closes `closeable` after the file (stores and clients a test makes itself). */
  track<T extends { close?(): Promise<void>; quit?(): Promise<unknown> }>(closeable: T): T;
}

/**
 * Real Redis for one test file: call it at module top level or in a `describe` body. After
 * the file it closes every store and client it handed out and deletes every key under the
 * file's prefix (`mg-test:<label>:<random>:`).
 */
export function useTestRedis(label: string): TestRedis {
  const root = `mg-test:${label}:${process.pid}-${randomBytes(4).toString('hex')}:`;
  let count = 0;
  let client: Redis | undefined;
  const tracked: { close?(): Promise<void>; quit?(): Promise<unknown> }[] = [];
  const testRedis: TestRedis = {
    prefix: () => `${root}${++count}:`,
    get client(): Redis {
      client ??= createTestClient();
      return client;
    },
    store: (options = {}) => testRedis.track(RedisRegistryStore.create({ url: TEST_REDIS_URL, prefix: testRedis.prefix(), ...options })),
    track: (closeable) => {
      tracked.push(closeable);
      return closeable;
    },
  };
  afterAll(async () => {
    await Promise.all(tracked.map((c) => (c.close ? c.close() : c.quit?.().catch(() => undefined))));
    await deleteKeysUnder(testRedis.client, root);
    await client?.quit();
  });
  return testRedis;
}

/**
 * Counts round trips on a client: each command sent alone is one, and a pipeline or
 * MULTI/EXEC (commands sharing one write to the socket) is one however many commands it holds.
 */
export function countRoundTrips(client: Redis): { readonly count: number; reset(): void } {
  const send = client.sendCommand.bind(client);
  const batches = new WeakSet<object>();
  let count = 0;
  client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    const stream = args[1] as object | undefined;
    if (stream === undefined) count += 1;
    else if (!batches.has(stream)) {
      batches.add(stream);
      count += 1;
    }
    return send(...args);
  }) as Redis['sendCommand'];
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}
