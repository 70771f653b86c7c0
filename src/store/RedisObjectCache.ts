import type { Redis } from 'ioredis';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { redisKeys } from './redisKeys.js';
import type { RedisKeys } from './redisKeys.js';

/** Options of `RedisObjectCache.create`. */
export interface RedisObjectCacheOptions {
  /** A client someone else owns (`main.ts`); `close()` leaves it open. */
  client: Redis;
  /** Key prefix, `mg:v1:` by default; tests give each test its own. */
  prefix?: string;
  /**
   * Values longer than this many bytes (UTF-8) are not kept, so a few big files cannot fill
   * Redis; they are read from the host again instead. Default 1 MiB.
   */
  maxValueBytes?: number;
  /**
   * Longest wait for the connection and the answer of one `get` or `set`; past it the read
   * counts as misses (the write is dropped). Default 2000 ms.
   */
  timeoutMs?: number;
  /** Says when Redis fails, once until it answers again. */
  log?: Logger;
}

const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 2000;

/**
 * The sources' `ObjectCache` in Redis: commits, trees, blobs and tag objects read from GitHub or
 * GitLab, kept under `<prefix>obj:` (`redisKeys.ts`) without TTL, so a restarted worker or
 * gateway, or another one, does not read them from the host again. It has the shape of
 * `ObjectCache` (`src/sources`) without importing it: the store may not import the sources.
 *
 * One MGET per `get` and one MSET per `set`. It never throws: the host is the source of truth,
 * so when Redis is down, slow (past `timeoutMs`) or refuses a command, a read answers misses and
 * a write is dropped, logged once until Redis answers again. A client known to be down (it is
 * reconnecting) is not waited for at all.
 */
export class RedisObjectCache {
  readonly maxValueBytes: number;
  private readonly keys: RedisKeys;
  private readonly timeoutMs: number;
  private readonly log: Logger | undefined;
  private closed = false;
  /** Whether the last command failed: failures are logged once per outage. */
  private down = false;
  /** The wait for the connection under way, shared by every call that arrives meanwhile. */
  private connecting: Promise<void> | undefined;

  private constructor(
    private readonly client: Redis,
    options: RedisObjectCacheOptions,
  ) {
    this.keys = redisKeys(options.prefix);
    this.maxValueBytes = Math.max(0, options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.log = options.log;
  }

  /** A cache over the client; nothing is sent until the first call. */
  static create(options: RedisObjectCacheOptions): RedisObjectCache {
    return new RedisObjectCache(options.client, options);
  }

  /** The values under `keys` in one MGET; all misses when Redis does not answer. */
  async get(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const values = await this.run('read', () => this.client.mget(keys.map((key) => this.keys.object(key))));
    return keys.map((_, index) => values?.[index] ?? undefined);
  }

  /** Keeps the values within `maxValueBytes` in one MSET (no TTL: they never change); dropped when Redis does not answer. */
  async set(entries: readonly (readonly [key: string, value: string])[]): Promise<void> {
    const kept = new Map<string, string>();
    for (const [key, value] of entries) if (this.fits(value)) kept.set(this.keys.object(key), value);
    if (kept.size === 0) return;
    await this.run('write', () => this.client.mset(kept));
  }

  /** Stops using the client (later calls miss and drop); the client stays open for its owner. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private fits(value: string): boolean {
    // A UTF-8 encoding has at least one byte per UTF-16 unit and at most three.
    if (value.length > this.maxValueBytes) return false;
    return value.length * 3 <= this.maxValueBytes || Buffer.byteLength(value, 'utf8') <= this.maxValueBytes;
  }

  /** The command's answer, or undefined when the cache is closed or Redis failed to answer within `timeoutMs`. */
  private async run<T>(what: 'read' | 'write', command: () => Promise<T>): Promise<T | undefined> {
    if (this.closed) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const attempt = this.connected().then(command);
    // Past the deadline the command may still settle; its failure then must not go unhandled.
    attempt.catch(() => {});
    try {
      const result = await Promise.race([
        attempt,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
          timer.unref();
        }),
      ]);
      this.down = false;
      return result;
    } catch (error) {
      if (!this.down) {
        this.down = true;
        this.log?.error(`The object cache in Redis at ${describeClient(this.client)} could not ${what} (${messageOf(error)}); sources read from their hosts until it answers again.`);
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once the client is ready; rejects at once when it is known to be down. */
  private connected(): Promise<void> {
    const client = this.client;
    switch (client.status) {
      case 'ready':
        return Promise.resolve();
      case 'wait':
        // A lazyConnect client: start it.
        client.connect().catch(() => {});
        break;
      case 'connecting':
      case 'connect':
        break;
      default:
        // reconnecting, close, end: waiting would only delay the host request.
        return Promise.reject(new Error(`the connection is ${client.status}`));
    }
    this.connecting ??= new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        client.off('ready', onReady);
        client.off('error', onError);
        client.off('close', onClose);
        this.connecting = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => finish();
      const onError = (error: Error) => finish(error);
      const onClose = () => finish(new Error('the connection closed'));
      client.on('ready', onReady);
      client.on('error', onError);
      client.on('close', onClose);
    });
    return this.connecting;
  }
}

/** Where the client connects, for messages (never its password). */
function describeClient(client: Redis): string {
  const { host, port, db, path } = client.options;
  if (path) return `unix:${path}`;
  return `redis://${host ?? '127.0.0.1'}:${port ?? 6379}${db ? `/${db}` : ''}`;
}
