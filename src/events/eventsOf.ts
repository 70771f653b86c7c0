import type { ModelRecord } from '../registry/index.js';
import type { NewRegistryEvent } from './EventBus.js';

/** GTO's tie-break for events of the same second (`gto/base.py`), so a register comes before the assign tagged with it. */
const PRIORITY: Record<NewRegistryEvent['kind'], number> = { DEPRECATED: 2, REGISTERED: 3, DEREGISTERED: 4, ASSIGNED: 5, UNASSIGNED: 6 };

/**
 * The events a refresh publishes: one per GTO tag of the new snapshot that the previous
 * snapshot of the repository did not have, oldest first (tagger time, then GTO's priority).
 *
 * Guarantees:
 * - `previous` undefined (the repository was never indexed, or only failed so far) gives no
 *   events: a first index, or a gateway starting on an empty store, does not replay a whole
 *   history to subscribers.
 * - A tag is known by its name within the repository, so a re-index that finds the same tags
 *   gives nothing, and a tag moved to another commit under the same name (`git tag -f`) is
 *   not new either.
 * - Tags that disappeared (deleted on the host) give nothing: GTO has no event for a missing
 *   tag, and the queries show the state without them.
 */
export function eventsOf(
  previous: readonly Pick<ModelRecord, 'history'>[] | undefined,
  snapshot: { models: readonly Pick<ModelRecord, 'ref' | 'repository' | 'history'>[] },
): NewRegistryEvent[] {
  if (previous === undefined) return [];
  // STEP 1: every tag the previous snapshot knew, whatever model it belonged to then.
  const known = new Set(previous.flatMap((model) => model.history.map((event) => event.tag)));
  // STEP 2: the new snapshot's tags that are not among them, per model oldest first (a history is newest first).
  const fresh: NewRegistryEvent[] = [];
  for (const model of snapshot.models) {
    for (const event of [...model.history].reverse()) {
      if (!known.has(event.tag)) fresh.push({ ...event, repository: model.repository, model: model.ref });
    }
  }
  // STEP 3: one timeline across models; the sort is stable, so a model's own order stands.
  return fresh.sort((a, b) => a.timestamp - b.timestamp || PRIORITY[a.kind] - PRIORITY[b.kind]);
}
