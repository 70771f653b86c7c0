import { Redis } from 'ioredis';
import { NotFoundError, UpstreamError, messageOf } from '../errors.js';
import { DEFAULT_KEY_PREFIX, redactRedisUrl, redisKeys } from '../store/index.js';
import { checkEventId, compareEventIds } from './compareEventIds.js';
import type { EventBus, EventSubscription, LiveRegistryEvent, NewRegistryEvent, SubscribeOptions } from './EventBus.js';
import { EventQueue } from './EventQueue.js';

export interface RedisEventBusOptions {
  url: string;
  /** Key prefix (`mg:v1:` by default); the stream is `<prefix>events` (see `redisKeys`). */
  prefix?: string;
  /** Events the stream keeps, approximately (`XADD MAXLEN ~`): how far back `since` can reach. Default 10,000. */
  maxLength?: number;
  /** Events a subscriber may have waiting before its subscription fails. Default 10,000. */
  subscriberLimit?: number;
  /** How long one XREAD blocks before it is sent again. Default 5,000 ms. */
  blockMs?: number;
  /** How long publishing and subscribing wait for Redis before failing. Default 2,000 ms. */
  timeoutMs?: number;
  log?: (message: string) => void;
}

const DEFAULT_MAX_LENGTH = 10_000;
const DEFAULT_SUBSCRIBER_LIMIT = 10_000;
const DEFAULT_BLOCK_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 2_000;
/** Entries per XRANGE / XREAD reply. */
const PAGE = 1_000;
/** The stream entry's one field: the event as JSON. */
const FIELD = 'e';

type StreamEntry = [id: string, fields: string[]];

/**
 * The event bus of Redis deployments: events are appended to one bounded Redis stream by
 * whichever process indexed them (a worker or a gateway), and every gateway process runs
 * one reader (`XREAD BLOCK` on its own connection, started by its first subscriber) that
 * fans each event out to that process's subscribers. So every subscriber of every gateway
 * gets each event once, in stream order, and the stream id is the event id.
 *
 * `since`: the subscriber is registered first, holding live events; the stream is then read
 * with `XRANGE (since +` page by page; then the held events follow, minus any the replay
 * already gave. Anything appended after registration reaches the reader, anything appended
 * before it is in the stream when XRANGE reads, so nothing falls between the two.
 *
 * Redis away: `publish` fails within `timeoutMs` (the caller logs; indexing goes on, and
 * those events are lost). New subscriptions fail the same way. Open subscriptions stay open:
 * the reader reconnects and goes on from the last id it read, so they get what was appended
 * meanwhile (by processes that could reach Redis) once it answers again.
 */
export class RedisEventBus implements EventBus {
  private readonly stream: string;
  private readonly maxLength: number;
  private readonly subscriberLimit: number;
  private readonly blockMs: number;
  private readonly queues = new Set<EventQueue>();
  /** Settles once the reader knows where the stream ends (it then runs until `close`). */
  private reading: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  private outage = false;

  private constructor(
    /** Publishing and replays: fails fast while Redis is away. */
    private readonly commands: Redis,
    /** The reader's blocking XREADs: waits across reconnections. */
    private readonly reader: Redis,
    private readonly where: string,
    private readonly options: RedisEventBusOptions,
  ) {
    this.stream = redisKeys(options.prefix ?? DEFAULT_KEY_PREFIX).events;
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    this.subscriberLimit = options.subscriberLimit ?? DEFAULT_SUBSCRIBER_LIMIT;
    this.blockMs = options.blockMs ?? DEFAULT_BLOCK_MS;
    for (const client of [commands, reader]) {
      client.on('error', (error: Error) => this.down(error));
      client.on('ready', () => {
        this.outage = false;
      });
    }
  }

  /** Connects in the background; publishing before Redis answers waits up to `timeoutMs`. */
  static create(options: RedisEventBusOptions): RedisEventBus {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const commands = new Redis(options.url, {
      // Queued while (re)connecting, rejected after the first failed attempt: a wait of at most about timeoutMs.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      disconnectTimeout: 100,
    });
    const reader = new Redis(options.url, {
      // Named, so `CLIENT LIST` shows which connections are event readers (and of which prefix).
      connectionName: `${options.prefix ?? DEFAULT_KEY_PREFIX}events-reader`,
      // The blocking read waits through outages and is re-sent after a reconnection.
      maxRetriesPerRequest: null,
      connectTimeout: timeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      disconnectTimeout: 100,
      // Connects with its first XREAD: a process that only publishes (a worker) never opens it.
      lazyConnect: true,
    });
    return new RedisEventBus(commands, reader, redactRedisUrl(options.url), options);
  }

  get subscriberCount(): number {
    return this.queues.size;
  }

  async publish(events: readonly NewRegistryEvent[]): Promise<LiveRegistryEvent[]> {
    if (events.length === 0) return [];
    const pipeline = this.commands.pipeline();
    for (const event of events) pipeline.xadd(this.stream, 'MAXLEN', '~', this.maxLength, '*', FIELD, JSON.stringify(event));
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipeline.exec();
    } catch (error) {
      throw this.unreachable(`publish ${events.length} registry event(s)`, error);
    }
    return events.map((event, i) => {
      const [error, id] = replies?.[i] ?? [new Error('no reply'), null];
      if (error || typeof id !== 'string') throw this.unreachable(`publish ${events.length} registry event(s)`, error ?? new Error('no id'));
      return { ...event, id };
    });
  }

  async subscribe(options: SubscribeOptions = {}): Promise<EventSubscription> {
    const since = options.since === undefined ? undefined : checkEventId(options.since);
    await this.startReader();
    const queue: EventQueue = new EventQueue({
      filter: options.filter ?? {},
      ...(since !== undefined ? { after: since } : {}),
      holdLive: since !== undefined,
      limit: this.subscriberLimit,
      onEnd: () => this.queues.delete(queue),
    });
    // Registered before the replay reads: see the class comment.
    this.queues.add(queue);
    if (since === undefined) return queue;
    try {
      await this.checkKept(since);
      for (let after = since; ; ) {
        const page = await this.commands.xrange(this.stream, `(${after}`, '+', 'COUNT', PAGE);
        queue.replay(this.parse(page));
        const last = page.at(-1);
        if (!last || page.length < PAGE) break;
        after = last[0];
      }
    } catch (error) {
      void queue.return();
      if (error instanceof NotFoundError) throw error;
      throw this.unreachable('replay the registry events a subscriber missed', error);
    }
    queue.goLive();
    return queue;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queue of [...this.queues]) void queue.return();
    this.reader.disconnect();
    await this.loop;
    if (this.commands.status === 'ready') await this.commands.quit().catch(() => this.commands.disconnect());
    else this.commands.disconnect();
  }

  /**
   * Throws NotFoundError when events after `since` may have been trimmed: `since` is older than
   * the oldest entry kept, and the stream has trimmed entries (Redis 7 counts every entry ever
   * added). It errs on the side of telling: when `since` was exactly the last entry trimmed,
   * nothing was missed, but the client is still told to re-read the state.
   */
  private async checkKept(since: string): Promise<void> {
    let info: unknown;
    try {
      info = await this.commands.xinfo('STREAM', this.stream);
    } catch (error) {
      if (/no such key/i.test(messageOf(error))) return; // No stream yet: nothing was ever trimmed.
      throw error;
    }
    const fields = Array.isArray(info) ? (info as unknown[]) : [];
    const field = (name: string): unknown => {
      const at = fields.indexOf(name);
      return at >= 0 ? fields[at + 1] : undefined;
    };
    const added = Number(field('entries-added'));
    const length = Number(field('length'));
    const first = field('recorded-first-entry-id');
    if (!(added > length) || typeof first !== 'string') return;
    if (compareEventIds(since, first) < 0) {
      throw new NotFoundError(`The events after ${since} are no longer all kept (the stream keeps about the newest ${this.maxLength}). Read the current state with queries, then subscribe without since.`);
    }
  }

  /** Starts this process's one reader at the stream's end (once; a failed start is tried again by the next subscriber). */
  private startReader(): Promise<void> {
    this.reading ??= (async () => {
      let newest: StreamEntry[];
      try {
        newest = await this.commands.xrevrange(this.stream, '+', '-', 'COUNT', 1);
      } catch (error) {
        this.reading = undefined;
        throw this.unreachable('start reading registry events', error);
      }
      this.loop = this.readLoop(newest[0]?.[0] ?? '0-0');
    })();
    return this.reading;
  }

  private async readLoop(from: string): Promise<void> {
    let cursor = from;
    while (!this.closed) {
      try {
        const reply = await this.reader.xread('COUNT', PAGE, 'BLOCK', this.blockMs, 'STREAMS', this.stream, cursor);
        const entries = reply?.[0]?.[1] ?? [];
        for (const event of this.parse(entries)) {
          for (const queue of this.queues) queue.deliver(event);
        }
        const last = entries.at(-1);
        if (last) cursor = last[0];
      } catch (error) {
        if (this.closed) return;
        this.down(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Stream entries → events; an entry that is not ours (written by hand, another version) is skipped and logged. */
  private parse(entries: readonly StreamEntry[]): LiveRegistryEvent[] {
    const events: LiveRegistryEvent[] = [];
    for (const [id, fields] of entries) {
      const at = fields.indexOf(FIELD);
      try {
        if (at < 0) throw new Error(`no field ${FIELD}`);
        const value = JSON.parse(fields[at + 1] ?? '') as Omit<LiveRegistryEvent, 'id'>;
        if (typeof value.model !== 'string' || typeof value.kind !== 'string') throw new Error('not a registry event');
        events.push({ ...value, id });
      } catch (error) {
        this.options.log?.(`skipping stream entry ${id} of ${this.stream}: ${messageOf(error)}`);
      }
    }
    return events;
  }

  /** Logs once per outage: ioredis reports every failed reconnection. */
  private down(error: unknown): void {
    if (this.outage || this.closed) return;
    this.outage = true;
    this.options.log?.(`Redis at ${this.where} is not answering (${messageOf(error)}); registry events wait until it does.`);
  }

  private unreachable(what: string, cause: unknown): UpstreamError {
    return new UpstreamError(`Could not ${what}: Redis at ${this.where} did not answer (${messageOf(cause)}). It recovers by itself once Redis answers.`, 'redis', undefined, { cause });
  }
}
