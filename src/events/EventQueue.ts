import { UpstreamError } from '../errors.js';
import { compareEventIds } from './compareEventIds.js';
import type { EventFilter, EventSubscription, LiveRegistryEvent } from './EventBus.js';
import { matchesFilter } from './matchesFilter.js';

export interface EventQueueOptions {
  filter: EventFilter;
  /** Deliver only events after this id. */
  after?: string;
  /** Hold live events until `goLive()` (a replay is under way). */
  holdLive: boolean;
  /** Live events waiting for the subscriber beyond which the subscription fails. */
  limit: number;
  /** Called once, when the subscription ends for any reason (the bus forgets it). */
  onEnd: () => void;
}

/**
 * One subscriber's events: what both buses hand out. It is where replay and live meet:
 * while a replay runs, live events are held; afterwards they follow the replayed ones, and
 * every event whose id is not greater than the last one seen is dropped, so an event that
 * came both ways is delivered once. The filter applies after that check, so filtered-out
 * events still advance the position.
 */
export class EventQueue implements EventSubscription {
  private readonly ready: LiveRegistryEvent[] = [];
  private held: LiveRegistryEvent[] | undefined;
  private waiting: { resolve: (result: IteratorResult<LiveRegistryEvent>) => void; reject: (error: unknown) => void } | undefined;
  private last: string | undefined;
  private failure: Error | undefined;
  private ended = false;

  constructor(private readonly options: EventQueueOptions) {
    this.last = options.after;
    if (options.holdLive) this.held = [];
  }

  /** A live event, from the bus's fan-out. */
  deliver(event: LiveRegistryEvent): void {
    if (this.ended) return;
    if (this.held) {
      this.held.push(event);
      if (this.held.length > this.options.limit) this.fail(this.behind());
      return;
    }
    this.accept(event);
    if (this.ready.length > this.options.limit) this.fail(this.behind());
  }

  /** Replayed events, in id order. */
  replay(events: readonly LiveRegistryEvent[]): void {
    for (const event of events) this.accept(event);
  }

  /** The replay is over: the held live events follow (those already replayed are dropped), then live ones as they come. */
  goLive(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of held) this.accept(event);
  }

  /** Ends the subscription with an error, after the events already queued. */
  fail(error: Error): void {
    if (this.ended) return;
    this.failure = error;
    this.finish();
    this.settleWaiting();
  }

  next(): Promise<IteratorResult<LiveRegistryEvent>> {
    const event = this.ready.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<LiveRegistryEvent>> {
    this.ready.length = 0;
    this.failure = undefined;
    this.finish();
    this.settleWaiting();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<LiveRegistryEvent>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private accept(event: LiveRegistryEvent): void {
    if (this.ended) return;
    if (this.last !== undefined && compareEventIds(event.id, this.last) <= 0) return;
    this.last = event.id;
    if (!matchesFilter(event, this.options.filter)) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting.resolve({ value: event, done: false });
    } else {
      this.ready.push(event);
    }
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.held = undefined;
    this.options.onEnd();
  }

  /** A `next()` waiting when the subscription ends learns why (or that it is done). */
  private settleWaiting(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    this.waiting = undefined;
    if (this.ready.length > 0) return waiting.resolve({ value: this.ready.shift() as LiveRegistryEvent, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      return waiting.reject(failure);
    }
    waiting.resolve({ value: undefined, done: true });
  }

  private behind(): Error {
    const resume = this.last ? ` Subscribe again with since: "${this.last}" to get the rest.` : '';
    return new UpstreamError(`This subscription fell more than ${this.options.limit} events behind and was ended.${resume}`, 'events');
  }
}
