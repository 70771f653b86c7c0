import type { EventFilter, LiveRegistryEvent } from './EventBus.js';

/** True when `event` meets every condition `filter` gives. A stage filter admits only events with that stage. */
export function matchesFilter(event: LiveRegistryEvent, filter: EventFilter): boolean {
  if (filter.repository !== undefined && event.repository !== filter.repository) return false;
  if (filter.model !== undefined && event.model !== filter.model) return false;
  if (filter.kinds !== undefined && !filter.kinds.includes(event.kind)) return false;
  if (filter.stage !== undefined && event.stage !== filter.stage) return false;
  return true;
}
