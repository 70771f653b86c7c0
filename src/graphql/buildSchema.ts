import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema as buildTypeGraphQLSchema } from 'type-graphql';
import { ModelResolver } from './model.resolver.js';
import { MutationResolver } from './mutation.resolver.js';
import { QueryResolver } from './query.resolver.js';
import { RepositoryResolver } from './repository.resolver.js';
import { ArtifactFileResolver, DvcImportResolver, MetricPointResolver, VersionComparisonResolver } from './provenance.resolver.js';
import { ModelVersionResolver, RegistryEventResolver, StageAssignmentResolver } from './version.resolver.js';

let schema: Promise<GraphQLSchema> | undefined;

/** The code-first schema. Built once per process (type-graphql's metadata is global). */
export function buildSchema(): Promise<GraphQLSchema> {
  schema ??= buildTypeGraphQLSchema({
    resolvers: [
      QueryResolver, MutationResolver, RepositoryResolver, ModelResolver, ModelVersionResolver, StageAssignmentResolver, RegistryEventResolver,
      ArtifactFileResolver, DvcImportResolver, MetricPointResolver, VersionComparisonResolver,
    ],
    validate: false,
  });
  return schema;
}
