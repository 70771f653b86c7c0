/** Helpers for the event bus tests: made-up events, and reading a subscription with a deadline. */
import type { EventSubscription, LiveRegistryEvent, NewRegistryEvent } from '../../src/events/index.js';

/** A REGISTERED event of `local:acme/churn:churn`, told apart by `tag`; `overrides` change the rest. */
export function event(tag: string, overrides: Partial<NewRegistryEvent> = {}): NewRegistryEvent {
  return {
    kind: 'REGISTERED',
    repository: 'local:acme/churn',
    model: 'local:acme/churn:churn',
    artifact: 'churn',
    version: 'v1.0.0',
    commit: 'a'.repeat(40),
    at: '2025-01-01T00:00:00+00:00',
    timestamp: 1735689600,
    author: { name: 'Ada', email: 'ada@example.com' },
    tag,
    message: tag,
    ...overrides,
  };
}

/** The next `count` events of a subscription; fails after two seconds without one. */
export async function take(subscription: EventSubscription, count: number): Promise<LiveRegistryEvent[]> {
  const events: LiveRegistryEvent[] = [];
  while (events.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`only ${events.length} of ${count} events arrived: ${events.map((e) => e.tag).join(', ')}`)), 2000);
    });
    const next = await Promise.race([subscription.next(), timeout]).finally(() => clearTimeout(timer));
    if (next.done) throw new Error(`the subscription ended after ${events.length} of ${count} events`);
    events.push(next.value);
  }
  return events;
}

/** True when nothing arrives within `ms` (what a subscriber that should get nothing sees). */
export async function quiet(subscription: EventSubscription, ms = 300): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<'quiet'>((resolve) => {
    timer = setTimeout(() => resolve('quiet'), ms);
  });
  const next = subscription.next().then(() => 'event' as const);
  const first = await Promise.race([next, silence]);
  clearTimeout(timer);
  return first === 'quiet';
}
