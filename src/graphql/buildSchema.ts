import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema as buildTypeGraphQLSchema } from 'type-graphql';
import type { PubSub } from 'type-graphql';
import { ModelResolver } from './model.resolver.js';
import { MutationResolver } from './mutation.resolver.js';
import { QueryResolver } from './query.resolver.js';
import { RepositoryResolver } from './repository.resolver.js';
import { SubscriptionResolver } from './subscription.resolver.js';
import { ArtifactFileResolver, DvcImportResolver, MetricPointResolver, VersionComparisonResolver } from './provenance.resolver.js';
import { ModelVersionResolver, RegistryEventResolver, StageAssignmentResolver } from './version.resolver.js';

let schema: Promise<GraphQLSchema> | undefined;

/**
 * type-graphql wants a PubSub as soon as a subscription exists, even when every subscription
 * brings its own `subscribe` (ours reads the event bus from the context). This one is never used.
 */
const UNUSED_PUB_SUB: PubSub = {
  publish: () => {
    throw new Error('Registry events are published on the event bus (src/events), not through type-graphql.');
  },
  subscribe: () => {
    throw new Error('Subscriptions read the event bus from the context (src/events), not type-graphql topics.');
  },
};

/** The code-first schema. Built once per process (type-graphql's metadata is global). */
export function buildSchema(): Promise<GraphQLSchema> {
  schema ??= buildTypeGraphQLSchema({
    resolvers: [
      QueryResolver, MutationResolver, SubscriptionResolver, RepositoryResolver, ModelResolver, ModelVersionResolver, StageAssignmentResolver, RegistryEventResolver,
      ArtifactFileResolver, DvcImportResolver, MetricPointResolver, VersionComparisonResolver,
    ],
    validate: false,
    pubSub: UNUSED_PUB_SUB,
  });
  return schema;
}
