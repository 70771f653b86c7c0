import { NotFoundError } from '../errors.js';
import { checkEventId, compareEventIds } from './compareEventIds.js';
import type { EventBus, EventSubscription, LiveRegistryEvent, NewRegistryEvent, SubscribeOptions } from './EventBus.js';
import { EventQueue } from './EventQueue.js';

export interface InMemoryEventBusOptions {
  /** Events kept for `since` replays; older ones are dropped. Default 10,000. */
  capacity?: number;
  /** Events a subscriber may have waiting before its subscription fails. Default 10,000. */
  subscriberLimit?: number;
}

const DEFAULT_CAPACITY = 10_000;
const DEFAULT_SUBSCRIBER_LIMIT = 10_000;

/**
 * The embedded event bus (no Redis): the newest `capacity` events in a ring, for the
 * subscribers of this process only. Ids look like Redis stream ids (`<ms>-<seq>`), so
 * clients cannot tell the two buses apart. Publishing, replay and fan-out are synchronous,
 * so replay and live cannot interleave here.
 */
export class InMemoryEventBus implements EventBus {
  private readonly ring: (LiveRegistryEvent | undefined)[];
  /** Index of the oldest kept event in `ring`. */
  private start = 0;
  private size = 0;
  /** Id of the newest event dropped from the ring, if any: a `since` older than it missed events. */
  private droppedUpTo: string | undefined;
  private lastMs = 0;
  private sequence = 0;
  private readonly queues = new Set<EventQueue>();
  private readonly subscriberLimit: number;

  private constructor(options: InMemoryEventBusOptions) {
    this.ring = new Array<LiveRegistryEvent | undefined>(Math.max(1, options.capacity ?? DEFAULT_CAPACITY));
    this.subscriberLimit = options.subscriberLimit ?? DEFAULT_SUBSCRIBER_LIMIT;
  }

  static create(options: InMemoryEventBusOptions = {}): InMemoryEventBus {
    return new InMemoryEventBus(options);
  }

  get subscriberCount(): number {
    return this.queues.size;
  }

  publish(events: readonly NewRegistryEvent[]): Promise<LiveRegistryEvent[]> {
    const published = events.map((event) => ({ ...event, id: this.nextId() }));
    for (const event of published) {
      this.keep(event);
      for (const queue of this.queues) queue.deliver(event);
    }
    return Promise.resolve(published);
  }

  subscribe(options: SubscribeOptions = {}): Promise<EventSubscription> {
    try {
      const since = options.since === undefined ? undefined : checkEventId(options.since);
      if (since !== undefined && this.droppedUpTo !== undefined && compareEventIds(since, this.droppedUpTo) < 0) {
        throw new NotFoundError(`The events after ${since} are no longer all kept (this gateway keeps the newest ${this.ring.length}). Read the current state with queries, then subscribe without since.`);
      }
      const queue: EventQueue = new EventQueue({
        filter: options.filter ?? {},
        ...(since !== undefined ? { after: since } : {}),
        holdLive: false,
        limit: this.subscriberLimit,
        onEnd: () => this.queues.delete(queue),
      });
      if (since !== undefined) queue.replay(this.kept().filter((event) => compareEventIds(event.id, since) > 0));
      this.queues.add(queue);
      return Promise.resolve(queue);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): Promise<void> {
    for (const queue of [...this.queues]) void queue.return();
    return Promise.resolve();
  }

  /** Redis's scheme: milliseconds, and a sequence within one millisecond; never going back if the clock does. */
  private nextId(): string {
    const now = Date.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.sequence = 0;
    } else {
      this.sequence += 1;
    }
    return `${this.lastMs}-${this.sequence}`;
  }

  private keep(event: LiveRegistryEvent): void {
    const capacity = this.ring.length;
    if (this.size === capacity) {
      this.droppedUpTo = this.ring[this.start]?.id;
      this.ring[this.start] = event;
      this.start = (this.start + 1) % capacity;
    } else {
      this.ring[(this.start + this.size) % capacity] = event;
      this.size += 1;
    }
  }

  private kept(): LiveRegistryEvent[] {
    const events: LiveRegistryEvent[] = [];
    for (let i = 0; i < this.size; i++) {
      const event = this.ring[(this.start + i) % this.ring.length];
      if (event) events.push(event);
    }
    return events;
  }
}
