import { messageOf } from '../errors.js';
import type { ModelRecord, RepositorySnapshot } from '../registry/index.js';
import type { EventBus } from './EventBus.js';
import { eventsOf } from './eventsOf.js';

/**
 * The indexer's `onSnapshot`: publishes the events of a stored snapshot (`eventsOf`). It never
 * rejects: a bus that cannot publish (Redis away) is logged, and indexing goes on; the
 * snapshot is stored either way, so queries show the change even when no event announced it.
 */
export function publishSnapshotEvents(bus: EventBus, log?: (message: string) => void): (previous: ModelRecord[] | undefined, snapshot: RepositorySnapshot) => Promise<void> {
  return async (previous, snapshot) => {
    const events = eventsOf(previous, snapshot);
    if (events.length === 0) return;
    try {
      await bus.publish(events);
    } catch (error) {
      log?.(`${events.length} registry event(s) of ${snapshot.repository.ref} were not published, so subscribers will not see them: ${messageOf(error)}`);
    }
  };
}
