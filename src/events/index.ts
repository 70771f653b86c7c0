// The events' public surface: what a refresh publishes (`eventsOf`), and the buses that carry it to subscribers.
export { eventsOf } from './eventsOf.js';
export { publishSnapshotEvents } from './publishSnapshotEvents.js';
export { InMemoryEventBus } from './InMemoryEventBus.js';
export type { InMemoryEventBusOptions } from './InMemoryEventBus.js';
export { RedisEventBus } from './RedisEventBus.js';
export type { RedisEventBusOptions } from './RedisEventBus.js';
export { compareEventIds } from './compareEventIds.js';
export type { EventBus, EventFilter, EventSubscription, LiveRegistryEvent, NewRegistryEvent, SubscribeOptions } from './EventBus.js';
