import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { StoreError, messageOf } from '../errors.js';
import type { ModelRecord, RepositoryRecord, RepositorySnapshot } from '../registry/index.js';
import { DEFAULT_KEY_PREFIX, redisKeys } from './redisKeys.js';
import type { RedisKeys } from './redisKeys.js';
import type { ModelSummary, RegistryStore, RepositoryStatus } from './RegistryStore.js';
import { summarizeModel } from './summarizeModel.js';

interface CommonOptions {
  /** Key prefix, `mg:v1:` by default; tests give each test its own. */
  prefix?: string;
  /**
   * How long to wait for a connection (and, for a client made from `url`, for any one
   * command) before throwing StoreError. Default 2000 ms.
   */
  timeoutMs?: number;
  /** How long a replaced or removed snapshot stays readable for reads already under way. Default 60 s. */
  retiredTtlSeconds?: number;
  /**
   * TTL of a snapshot while it is written (refreshed after every chunk), so the half-written
   * snapshot of a crashed writer expires on its own. Default 15 minutes.
   */
  writingTtlSeconds?: number;
  /** Told the repository whose stored snapshot was found corrupt and dropped (for logs). */
  onCorrupt?: (repository: string) => void;
}

/**
 * Where the store's Redis is: a URL (the store makes and owns a client configured to fail
 * fast), or a client someone else owns (its options decide how long a command may hang once
 * connected; `close()` leaves it open).
 */
export type RedisRegistryStoreOptions = CommonOptions & ({ url: string; client?: undefined } | { client: Redis; url?: undefined });

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_RETIRED_TTL_SECONDS = 60;
const DEFAULT_WRITING_TTL_SECONDS = 15 * 60;
/** Models are written in chunks of about this many bytes, so one huge snapshot never blocks Redis for long. */
const CHUNK_BYTES = 1 << 20;
const CHUNK_FIELDS = 1000;
/** Reads retry when a generation vanished between reading the pointer and reading it (a very slow read). */
const READ_ATTEMPTS = 3;

/** A Lua script and its SHA1, run with EVALSHA (EVAL the first time a server has not seen it). */
interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * The atomic switch. Points the repository at the new generation only if that generation is
 * complete (its keys still exist and it holds every model), makes it permanent, and gives the
 * generation it replaces a short TTL instead of deleting it, so reads that already hold the
 * old pointer still find it. Reading the old pointer inside the script means two writers of
 * one repository never leave a generation behind without a TTL.
 *
 * KEYS: repositories hash, new repository key, new models key, new summaries key.
 * ARGV: repository ref, new generation, key head, the three key tails, retired TTL, model count.
 * Returns 1 when switched, 0 when the new generation is incomplete (nothing changed).
 */
const SWITCH = script(`
if redis.call('EXISTS', KEYS[2]) == 0 or redis.call('EXISTS', KEYS[4]) == 0
  or redis.call('HLEN', KEYS[3]) ~= tonumber(ARGV[8]) then
  return 0
end
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PERSIST', KEYS[2])
redis.call('PERSIST', KEYS[3])
redis.call('PERSIST', KEYS[4])
if old and old ~= ARGV[2] then
  for i = 4, 6 do redis.call('EXPIRE', ARGV[3] .. old .. ARGV[i], ARGV[7]) end
end
return 1
`);

/**
 * Removal: forgets the pointer and the status in one step and retires the current
 * generation like a replaced one.
 *
 * KEYS: repositories hash, statuses hash. ARGV: repository ref, key head, the three key tails, retired TTL.
 */
const REMOVE = script(`
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if old then
  for i = 3, 5 do redis.call('EXPIRE', ARGV[2] .. old .. ARGV[i], ARGV[6]) end
end
return 1
`);

/**
 * The Redis store (ioredis). Each `putSnapshot` writes a new generation of the repository
 * under its own keys (see `redisKeys.ts`), with a TTL while written; one Lua script then
 * switches the repository's pointer to it. Readers read the pointer, then that generation,
 * so the repository record, its models and its summaries always come from one snapshot, and
 * a writer killed mid-write leaves the previous snapshot current.
 *
 * Every read is two round trips at most (pointers, then values), however many refs;
 * statuses and the repository list are one. Every method throws StoreError, within about
 * `timeoutMs`, when Redis cannot be reached; a client made from a URL keeps reconnecting in
 * the background, so the store recovers when Redis returns.
 *
 * Not for Redis Cluster: the switch touches keys of several hash slots.
 */
export class RedisRegistryStore implements RegistryStore {
  private readonly keys: RedisKeys;
  private readonly timeoutMs: number;
  private readonly retiredTtlSeconds: number;
  private readonly writingTtlSeconds: number;
  /** Where Redis is, for messages: the URL without its password. */
  private readonly where: string;
  private lastError: Error | undefined;
  /** The wait for the connection attempt under way, shared by every call that arrives meanwhile. */
  private connecting: Promise<void> | undefined;
  private closed = false;
  /** Repositories dropped for a corrupt value, until written again. */
  private readonly dropped = new Set<string>();
  private readonly onCorrupt: ((repository: string) => void) | undefined;

  private constructor(
    private readonly client: Redis,
    private readonly ownsClient: boolean,
    options: RedisRegistryStoreOptions,
    where: string,
  ) {
    this.keys = redisKeys(options.prefix ?? DEFAULT_KEY_PREFIX);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retiredTtlSeconds = Math.max(1, Math.ceil(options.retiredTtlSeconds ?? DEFAULT_RETIRED_TTL_SECONDS));
    this.writingTtlSeconds = Math.max(1, Math.ceil(options.writingTtlSeconds ?? DEFAULT_WRITING_TTL_SECONDS));
    this.where = where;
    this.onCorrupt = options.onCorrupt;
    if (ownsClient) {
      // Our own client: remember why it is down (for messages); ioredis would print it otherwise.
      client.on('error', this.onError);
      client.on('ready', this.onReady);
    }
  }

  /**
   * Connects in the background and returns at once: a store made while Redis is down works
   * as soon as Redis answers. Call `ping()` to find out whether it does.
   */
  static create(options: RedisRegistryStoreOptions): RedisRegistryStore {
    if (options.client) return new RedisRegistryStore(options.client, false, options, describeClient(options.client));
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const client = new Redis(options.url, {
      // Fail fast instead of queueing while disconnected; reconnect in the background.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      // close() while reconnecting leaves a timer this long (ioredis's default: 2 s).
      disconnectTimeout: 100,
    });
    return new RedisRegistryStore(client, true, options, redactRedisUrl(options.url));
  }

  async putSnapshot(snapshot: RepositorySnapshot): Promise<void> {
    const ref = snapshot.repository.ref;
    this.dropped.delete(ref);
    const gen = newGeneration();
    const keys = this.keys.snapshot(ref, gen);
    const { head, tails } = this.keys.snapshotParts(ref);
    const models = new Map(snapshot.models.map((m) => [m.ref, JSON.stringify(m)] as const));
    const summaries = JSON.stringify(snapshot.models.map(summarizeModel));
    await this.run(`store the snapshot of ${ref}`, async () => {
      // STEP 1: the models, in chunks. Each chunk sets the TTL in the same transaction, so
      // no moment exists in which a half-written generation has none.
      for (const chunk of chunksOf(models)) {
        checked(await this.client.multi().hset(keys.models, ...chunk).expire(keys.models, this.writingTtlSeconds).exec());
      }
      // STEP 2: the summaries and the repository record, also with the writing TTL.
      checked(
        await this.client
          .multi()
          .set(keys.summaries, summaries, 'EX', this.writingTtlSeconds)
          .set(keys.repository, JSON.stringify(snapshot.repository), 'EX', this.writingTtlSeconds)
          .exec(),
      );
      // STEP 3: the switch, which checks that the generation is complete first.
      const args = [ref, gen, head, tails.repository, tails.models, tails.summaries, this.retiredTtlSeconds, models.size];
      const switched = await this.eval(SWITCH, [this.keys.repositories, keys.repository, keys.models, keys.summaries], args);
      if (switched !== 1) {
        throw new StoreError(
          `The new snapshot of ${ref} was incomplete in Redis at ${this.where} when it was to become current (it was written for longer than its ${this.writingTtlSeconds} s TTL, or its keys were evicted); the previous snapshot stays current. Index the repository again, and check that Redis has memory to spare and \`maxmemory-policy\` is noeviction.`,
        );
      }
    });
  }

  async removeRepository(ref: string): Promise<void> {
    const { head, tails } = this.keys.snapshotParts(ref);
    await this.run(`remove ${ref}`, () =>
      this.eval(REMOVE, [this.keys.repositories, this.keys.statuses], [ref, head, tails.repository, tails.models, tails.summaries, this.retiredTtlSeconds]),
    );
  }

  async getRepositories(refs: readonly string[]): Promise<(RepositoryRecord | undefined)[]> {
    if (refs.length === 0) return [];
    return this.run('read repositories', async () => {
      const texts = await this.readCurrent(unique(refs), async (live) => {
        const values = await this.client.mget(...live.map(([ref, gen]) => this.keys.snapshot(ref, gen).repository));
        return values.map((text) => text ?? undefined);
      });
      return refs.map((ref) => this.parsedOf<RepositoryRecord>(ref, ref, texts.get(ref)));
    });
  }

  async getModels(refs: readonly string[]): Promise<(ModelRecord | undefined)[]> {
    const wanted = new Map<string, string[]>();
    for (const ref of unique(refs)) {
      const repository = repositoryOfModel(ref);
      if (repository !== undefined) wanted.set(repository, [...(wanted.get(repository) ?? []), ref]);
    }
    if (wanted.size === 0) return refs.map(() => undefined);
    return this.run('read models', async () => {
      const byRepository = await this.readCurrent([...wanted.keys()], async (live) => {
        // One pipeline: per repository, its models and whether its generation still exists
        // (a generation without models has no models hash to tell).
        const pipeline = this.client.pipeline();
        for (const [ref, gen] of live) {
          const keys = this.keys.snapshot(ref, gen);
          pipeline.hmget(keys.models, ...(wanted.get(ref) ?? [])).exists(keys.repository);
        }
        const results = checked(await pipeline.exec());
        return live.map((_, i) => (results[2 * i + 1] === 1 ? (results[2 * i] as (string | null)[]) : undefined));
      });
      const texts = new Map<string, string>();
      for (const [repository, values] of byRepository) {
        (wanted.get(repository) ?? []).forEach((ref, i) => {
          const text = values[i];
          if (typeof text === 'string') texts.set(ref, text);
        });
      }
      return refs.map((ref) => this.parsedOf<ModelRecord>(repositoryOfModel(ref) ?? ref, ref, texts.get(ref)));
    });
  }

  async listRepositories(): Promise<string[]> {
    return (await this.run('list repositories', () => this.client.hkeys(this.keys.repositories))).sort();
  }

  async listModels(): Promise<ModelSummary[]> {
    return this.run('list models', async () => {
      const byRepository = await this.readCurrent('all', async (live) => {
        const values = await this.client.mget(...live.map(([ref, gen]) => this.keys.snapshot(ref, gen).summaries));
        return values.map((text) => text ?? undefined);
      });
      return [...byRepository]
        .flatMap(([ref, text]) => {
          const summaries = this.parsedOf<ModelSummary[]>(ref, undefined, text);
          return Array.isArray(summaries) ? summaries : [];
        })
        .sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
    });
  }

  /**
   * A stored value that does not parse (or names another ref) is corrupt: it reads as absent,
   * and its repository is dropped, so the next index pass finds no previous snapshot and
   * indexes it afresh. Each repository is dropped once per process until it is written again.
   */
  private parsedOf<T>(repository: string, ref: string | undefined, text: string | undefined): T | undefined {
    const value = parsed<T>(text, ref);
    if (value !== 'corrupt') return value;
    if (!this.dropped.has(repository)) {
      this.dropped.add(repository);
      this.onCorrupt?.(repository);
      void this.removeRepository(repository).catch(() => this.dropped.delete(repository));
    }
    return undefined;
  }

  async setStatus(status: RepositoryStatus): Promise<void> {
    await this.run(`record the status of ${status.ref}`, () => this.client.hset(this.keys.statuses, status.ref, JSON.stringify(status)));
  }

  async getStatuses(refs: readonly string[]): Promise<(RepositoryStatus | undefined)[]> {
    if (refs.length === 0) return [];
    return this.run('read statuses', async () => {
      const texts = await this.client.hmget(this.keys.statuses, ...refs);
      // A corrupt status reads as none: the next attempt writes it again.
      return texts.map((text, i) => {
        const status = parsed<RepositoryStatus>(text ?? undefined, refs[i]);
        return status === 'corrupt' ? undefined : status;
      });
    });
  }

  async ping(): Promise<void> {
    await this.run('ping', () => this.client.ping());
  }

  /** Quits the connection if the store made it; a client passed in stays open for its owner. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.ownsClient) return;
    this.client.off('error', this.onError);
    this.client.off('ready', this.onReady);
    // Errors after closing are of no interest, but must not surface as unhandled 'error' events.
    this.client.on('error', () => {});
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private readonly onError = (error: Error): void => {
    this.lastError = error;
  };

  private readonly onReady = (): void => {
    this.lastError = undefined;
  };

  /**
   * Reads values of the current generations of `repositories` ('all': every stored one).
   * Round trip 1 reads the pointers, round trip 2 (`fetch`) the values; `fetch` answers
   * undefined for a generation that has vanished in between (retired and expired during a
   * very slow read, or removed), and those repositories are read again from their pointers.
   */
  private async readCurrent<T>(repositories: readonly string[] | 'all', fetch: (live: [ref: string, gen: string][]) => Promise<(T | undefined)[]>): Promise<Map<string, T>> {
    const values = new Map<string, T>();
    let pending = repositories;
    for (let attempt = 1; ; attempt += 1) {
      const live: [string, string][] =
        pending === 'all'
          ? Object.entries(await this.client.hgetall(this.keys.repositories))
          : zip(pending, pending.length === 0 ? [] : await this.client.hmget(this.keys.repositories, ...pending)).flatMap(([ref, gen]) => (gen ? [[ref, gen] as [string, string]] : []));
      if (live.length === 0) return values;
      const fetched = await fetch(live);
      const vanished: string[] = [];
      live.forEach(([ref], i) => {
        const value = fetched[i];
        if (value === undefined) vanished.push(ref);
        else values.set(ref, value);
      });
      if (vanished.length === 0) return values;
      if (attempt >= READ_ATTEMPTS) {
        throw new StoreError(
          `Redis at ${this.where} points ${vanished.join(', ')} at snapshots that no longer exist (expected each pointer's keys to exist). Keys were deleted or evicted: set \`maxmemory-policy\` to noeviction and index again.`,
        );
      }
      pending = vanished;
    }
  }

  /** EVALSHA, falling back to EVAL when the server has not cached the script (a restart, SCRIPT FLUSH). */
  private async eval(lua: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.client.evalsha(lua.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!messageOf(error).includes('NOSCRIPT')) throw error;
      return this.client.eval(lua.source, keys.length, ...keys, ...args);
    }
  }

  /** Runs one store operation once connected, turning every failure into a StoreError that says what to do. */
  private async run<T>(what: string, action: () => Promise<T>): Promise<T> {
    await this.connected(what);
    try {
      return await action();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      if (isReplyError(error)) {
        throw new StoreError(
          `Redis at ${this.where} refused to ${what}: ${messageOf(error)}. Expected a Redis 7 server that accepts these commands; check its ACL, memory limit and version.`,
          { cause: error },
        );
      }
      if (error instanceof SyntaxError) {
        throw new StoreError(`Redis at ${this.where} holds a value that is not JSON (while trying to ${what}): ${error.message}. Another program may use the prefix "${this.keys.prefix}"; give Modelgate its own prefix or database and index again.`, {
          cause: error,
        });
      }
      if (this.client.status !== 'ready' || isConnectionError(error)) throw this.unreachable(what, error);
      throw new StoreError(`Redis at ${this.where} failed to ${what}: ${messageOf(error)}. Expected a reply; retry, and report it (with the cause) if it repeats.`, { cause: error });
    }
  }

  /** Returns once the client is ready; throws StoreError at once when it is known to be down, else after `timeoutMs`. */
  private async connected(what: string): Promise<void> {
    if (this.closed) {
      throw new StoreError(`The Redis store at ${this.where} is closed, so it cannot ${what}. Expected no calls after close(); create a new store.`);
    }
    const client = this.client;
    switch (client.status) {
      case 'ready':
        return;
      case 'wait':
        // A lazyConnect client passed in: start it.
        client.connect().catch(() => {});
        break;
      case 'reconnecting':
      case 'close':
      case 'end':
        // Known to be down: fail now rather than wait for the next reconnection attempt.
        throw this.unreachable(what, this.lastError ?? new Error(`connection ${client.status}`));
      case 'connecting':
      case 'connect':
        break;
    }
    try {
      await this.nextConnection();
    } catch (error) {
      throw this.unreachable(what, error);
    }
  }

  /** Settles when the connection attempt under way succeeds or fails; one set of listeners however many calls wait. */
  private nextConnection(): Promise<void> {
    this.connecting ??= new Promise<void>((resolve, reject) => {
      const client = this.client;
      const finish = (error?: Error) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('error', onError);
        client.off('end', onEnd);
        this.connecting = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => finish();
      const onError = (error: Error) => finish(error);
      const onEnd = () => finish(new Error('connection ended'));
      const timer = setTimeout(() => finish(new Error(`no connection within ${this.timeoutMs} ms`)), this.timeoutMs);
      client.on('ready', onReady);
      client.on('error', onError);
      client.on('end', onEnd);
    });
    return this.connecting;
  }

  private unreachable(what: string, cause: unknown): StoreError {
    return new StoreError(
      `Redis cannot be reached at ${this.where} (${messageOf(cause)}), so the store cannot ${what}. Expected a Redis server answering there: start Redis, or correct the Redis URL (REDIS_URL or \`redis\` in modelgate.yaml). The store keeps reconnecting and recovers by itself once Redis answers.`,
      { cause },
    );
  }
}

/**
 * A Redis URL without its password (`redis://user:***@host:6379/0`), safe for logs and
 * messages. Unparseable text loses everything between `//` and `@`.
 */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^/]*@/, '//***@');
  }
}

/** A client's address for messages; its options never lend their password to it. */
function describeClient(client: Redis): string {
  const { host, port, db, path } = client.options;
  if (path) return `unix:${path}`;
  return `redis://${host ?? '127.0.0.1'}:${port ?? 6379}${db ? `/${db}` : ''}`;
}

/** A new generation id: time-ordered for people reading keys, random so two writers never share one, base 36 (no colon). */
function newGeneration(): string {
  return `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/** Field/value lists for HSET of about CHUNK_BYTES or CHUNK_FIELDS each. */
function* chunksOf(models: Map<string, string>): Generator<string[]> {
  let chunk: string[] = [];
  let bytes = 0;
  for (const [ref, text] of models) {
    chunk.push(ref, text);
    bytes += ref.length + text.length;
    if (bytes >= CHUNK_BYTES || chunk.length >= 2 * CHUNK_FIELDS) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The results of a pipeline or transaction; throws the first command's error. */
function checked(results: [Error | null, unknown][] | null): unknown[] {
  if (results === null) throw new StoreError('A Redis transaction was aborted (expected none: the store WATCHes nothing). Retry the operation.');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** ioredis's and Node's ways of saying the connection is gone or too slow. */
function isConnectionError(error: unknown): boolean {
  return /timed out|Connection is closed|isn't writeable|MaxRetriesPerRequest|ECONN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN/i.test(messageOf(error));
}

function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

/** The record a stored text holds, or `corrupt` when it is not the JSON record that was written (its `ref` when one is expected). */
function parsed<T>(text: string | undefined, ref: string | undefined): T | undefined | 'corrupt' {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (ref === undefined) return value as T;
    return typeof value === 'object' && value !== null && (value as { ref?: unknown }).ref === ref ? (value as T) : 'corrupt';
  } catch {
    return 'corrupt';
  }
}

function unique(refs: readonly string[]): string[] {
  return [...new Set(refs)];
}

function zip<A, B>(as: readonly A[], bs: readonly B[]): [A, B | undefined][] {
  return as.map((a, i) => [a, bs[i]]);
}

/** A model ref starts with its repository ref (`<source>:<path>`, one colon) and a colon. */
function repositoryOfModel(ref: string): string | undefined {
  const second = ref.indexOf(':', ref.indexOf(':') + 1);
  return second < 0 ? undefined : ref.slice(0, second);
}
