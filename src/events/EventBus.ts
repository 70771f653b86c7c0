import type { RegistryEventKind, RegistryEventRecord } from '../registry/index.js';

/**
 * A registry event as subscribers receive it: one GTO tag that a refresh saw for the first
 * time, with the repository and model it belongs to.
 */
export interface LiveRegistryEvent extends RegistryEventRecord {
  /**
   * Position in the event stream, `<milliseconds>-<sequence>` (a Redis stream id, or one
   * shaped like it in memory). Later events have greater ids; `filter.since` takes one.
   */
  id: string;
  /** Repository ref (`github:acme/churn`). */
  repository: string;
  /** Model ref (`github:acme/churn:churn`). */
  model: string;
}

/** An event before the bus gives it its id. */
export type NewRegistryEvent = Omit<LiveRegistryEvent, 'id'>;

/** Which events a subscriber wants. Every condition given must hold; none given means all. */
export interface EventFilter {
  /** Repository ref. */
  repository?: string;
  /** Model ref. */
  model?: string;
  /** Any of these kinds. */
  kinds?: readonly RegistryEventKind[];
  /** Stage name: only (un)assignments of that stage. */
  stage?: string;
}

export interface SubscribeOptions {
  filter?: EventFilter;
  /**
   * Replay the kept events after this id (exclusive), then continue live, with no gap and no
   * duplicate between the two. Without it, only events published from now on.
   */
  since?: string;
}

/**
 * A subscriber's events, in id order. `return()` unsubscribes (a pending `next()` then
 * resolves as done). `next()` rejects when the subscription cannot go on: it fell too far
 * behind, or `since` is older than the events the bus still keeps.
 */
export interface EventSubscription extends AsyncIterableIterator<LiveRegistryEvent> {
  return(): Promise<IteratorResult<LiveRegistryEvent>>;
}

/**
 * Publishes registry events and fans them out to subscribers. Implemented in memory (one
 * process) and on a Redis stream (every process sharing the Redis).
 */
export interface EventBus {
  /** Appends events in the order given; resolves with their ids. Rejects when the events could not be kept. */
  publish(events: readonly NewRegistryEvent[]): Promise<LiveRegistryEvent[]>;
  /**
   * Starts a subscription. Once this resolves, every event published afterwards reaches it.
   * Throws InputError for a malformed `since`, NotFoundError for one older than the kept events.
   */
  subscribe(options?: SubscribeOptions): Promise<EventSubscription>;
  /** Subscriptions open in this process (for metrics, and for tests to know one is in place). */
  readonly subscriberCount: number;
  /** Ends every subscription and releases connections. */
  close(): Promise<void>;
}
