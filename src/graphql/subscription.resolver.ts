import { Arg, Ctx, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { UpstreamError } from '../errors.js';
import type { EventFilter, EventSubscription, LiveRegistryEvent } from '../events/index.js';
import { parseModelRef, parseRepositoryRef } from '../registry/index.js';
import { createLoaders } from '../store/index.js';
import type { GraphQLContext } from './context.js';
import { RegistryEvent } from './registry.types.js';
import { RegistryEventFilter } from './registryEventFilter.type.js';
import type { EventRoot } from './roots.js';

/** A filter as GraphQL hands it over: absent fields may be `null`. */
type FilterArgument = { [K in keyof RegistryEventFilter]?: RegistryEventFilter[K] | null };

/** Checks the refs (a typo would otherwise match nothing, silently) and opens the subscription on the context's bus. */
function subscribe({ args, context }: SubscribeResolverData<unknown, { filter?: FilterArgument | null }, GraphQLContext>): Promise<EventSubscription> {
  if (!context.events) return Promise.reject(new UpstreamError('This gateway was started without an event bus, so it has no registry events to subscribe to.', 'events'));
  const given = args.filter ?? {};
  const filter: EventFilter = {};
  try {
    if (given.repository != null) {
      parseRepositoryRef(given.repository);
      filter.repository = given.repository;
    }
    if (given.model != null) {
      parseModelRef(given.model);
      filter.model = given.model;
    }
  } catch (error) {
    return Promise.reject(error);
  }
  if (given.kinds != null && given.kinds.length > 0) filter.kinds = given.kinds;
  if (given.stage != null) filter.stage = given.stage;
  return context.events.subscribe({ filter, ...(given.since != null ? { since: given.since } : {}) });
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => RegistryEvent, {
    subscribe,
    description:
      'Registry events as refreshes find new GTO tags (webhooks, the reconcile loop, mutations), in the order they were published. A first index of a repository publishes nothing. Over graphql-ws on `/graphql`.',
  })
  registryEvents(
    @Root() event: LiveRegistryEvent,
    @Ctx() ctx: GraphQLContext,
    // Read by `subscribe`; declared here so it is part of the schema.
    @Arg('filter', () => RegistryEventFilter, { nullable: true }) _filter?: RegistryEventFilter,
  ): EventRoot {
    // Fresh loaders per event: the model an event refers to was stored just before it was published.
    ctx.loaders = createLoaders(ctx.store);
    return event;
  }
}
