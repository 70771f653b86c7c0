import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IndexProblem, Node, PageInfo, Person } from './common.type.js';

/*
 * The registry's object types. Only leaf fields are declared here; fields that lead to
 * other objects (or need the store) are field resolvers in the `*.resolver.ts` files, so
 * these classes never refer to each other at load time.
 */

export enum RegistryEventKind {
  REGISTERED = 'REGISTERED',
  DEREGISTERED = 'DEREGISTERED',
  ASSIGNED = 'ASSIGNED',
  UNASSIGNED = 'UNASSIGNED',
  DEPRECATED = 'DEPRECATED',
}
registerEnumType(RegistryEventKind, { name: 'RegistryEventKind', description: 'What a GTO tag did.' });

@ObjectType({ implements: Node, description: 'A Git repository indexed from a source (GitHub, GitLab or a local folder).' })
export class Repository extends Node {
  @Field(() => String, { description: 'Readable ref: `<source>:<path>`, e.g. `github:acme/churn`.' }) ref!: string;
  @Field(() => String, { description: 'Host name (`github.com`, `gitlab.example.com`, `local`).' }) host!: string;
  @Field(() => String, { description: '`owner/name` or `group/sub/project`.' }) fullName!: string;
  @Field(() => String, { description: 'Web URL (a `file://` URL for local repositories).' }) url!: string;
  @Field(() => String, { nullable: true }) defaultBranch?: string;
  @Field(() => String, { nullable: true, description: 'When the stored snapshot was built (ISO 8601).' }) indexedAt?: string;
  @Field(() => [IndexProblem], { description: 'Problems found in the last snapshot: bad files, conflicting tags.' }) problems!: IndexProblem[];
}

@ObjectType({ implements: Node, description: 'A GTO artifact: tagged in Git, usually declared in `dvc.yaml`.' })
export class Model extends Node {
  @Field(() => String, { description: 'Readable ref: `<repository ref>:<artifact name>`.' }) ref!: string;
  @Field(() => String, { description: 'GTO full name: `churn`, or `dir:name` for a nested `dvc.yaml`.' }) name!: string;
  @Field(() => Boolean, { description: 'Deprecated with an `@deprecated` tag (and not revived since).' }) deprecated!: boolean;
}

@ObjectType({ implements: Node, description: 'A registered version of a model (or a commit that only stage tags point at).' })
export class ModelVersion extends Node {
  @Field(() => String, { description: 'Readable ref: `<model ref>@v1.2.3`.' }) ref!: string;
  @Field(() => Boolean, { description: 'Has a registration tag (false for versions named by a commit SHA).' }) registered!: boolean;
  @Field(() => Boolean, { description: 'Its newest registration tag was cancelled by a deregistration (`…!`).' }) deregistered!: boolean;
  @Field(() => String, { description: 'When the version was registered (its newest registration tag), ISO 8601 with offset.' }) createdAt!: string;
  @Field(() => String, { description: 'Tag that created the version.' }) tag!: string;
  @Field(() => String, { nullable: true, description: 'Message of that tag.' }) message?: string;
  @Field(() => [String], { description: 'Stages this version currently shows in (GTO `show`: newest assignment per stage).' }) stages!: string[];
  @Field(() => [String], { description: 'Every stage this version is actively assigned to, including stages a newer assignment shadows.' })
  activeStages!: string[];
}

@ObjectType({ description: 'A stage held by a version.' })
export class StageAssignment {
  @Field(() => String) stage!: string;
  @Field(() => String, { description: 'When the newest assignment tag was made, ISO 8601 with offset.' }) assignedAt!: string;
  @Field(() => Person) author!: Person;
  @Field(() => String, { description: 'The assignment tag.' }) tag!: string;
  @Field(() => String, { nullable: true }) message?: string;
}

@ObjectType({ description: 'One GTO tag read as an event in a model history.' })
export class RegistryEvent {
  @Field(() => ID, {
    description: 'In a model history: orders events of one model, stable for a tag. In `Subscription.registryEvents`: the position in the event stream (`<ms>-<seq>`, later events greater), to pass as `filter.since` after a reconnection.',
  })
  id!: string;
  @Field(() => RegistryEventKind) kind!: RegistryEventKind;
  @Field(() => String, { nullable: true }) stage?: string;
  @Field(() => String, { description: 'Tag time, ISO 8601 with offset.' }) at!: string;
  @Field(() => Person) author!: Person;
  @Field(() => String) tag!: string;
  @Field(() => String, { nullable: true }) message?: string;
}

@ObjectType({ description: 'Indexing jobs in the shared queue (Redis deployments).' })
export class IndexQueue {
  @Field(() => Int, { description: 'Repositories waiting for a worker.' }) waiting!: number;
  @Field(() => Int, { description: 'Repositories being indexed now.' }) active!: number;
  @Field(() => Int, { description: 'Repositories waiting to be tried again after a failure.' }) delayed!: number;
}

@ObjectType({ description: 'Host API requests of one source.' })
export class SourceApiCalls {
  @Field(() => String, { description: 'The source name (the first part of its refs).' }) source!: string;
  @Field(() => Int, { description: 'Requests sent to its host (304 answers and retries included).' }) calls!: number;
}

@ObjectType({ description: 'Repositories in each state.' })
export class RepositoryStates {
  @Field(() => Int, { description: 'The last indexing attempt succeeded.' }) fresh!: number;
  @Field(() => Int, { description: 'The last attempt failed: the snapshot served is older than the repository (see `failing`).' }) stale!: number;
  @Field(() => Int, { description: 'Listed, but no attempt finished yet.' }) pending!: number;
}

@ObjectType({ description: 'How fresh the index is.' })
export class IndexStatus {
  @Field(() => Boolean, { description: 'The first indexing pass has finished.' }) ready!: boolean;
  @Field(() => Int) repositories!: number;
  @Field(() => Int) models!: number;
  @Field(() => String, { nullable: true, description: 'When the last pass finished.' }) lastRunAt?: string;
  @Field(() => Number, { nullable: true, description: 'How long the last pass took, in seconds.' }) lastRunSeconds?: number;
  @Field(() => Int, { nullable: true, description: 'Requests the last pass sent to GitHub/GitLab APIs (304 answers included; local sources send none).' })
  lastRunApiCalls?: number;
  @Field(() => RepositoryStates, { description: 'Repositories by the outcome of their last indexing attempt.' }) repositoriesByState!: RepositoryStates;
  @Field(() => [Repository], { description: 'Repositories whose last attempt failed (`lastError` says why), the oldest failure first.' }) failing!: unknown[];
  @Field(() => IndexQueue, { nullable: true, description: 'The job queue, when indexing runs as jobs on Redis; null for the embedded indexer.' }) queue?: IndexQueue;
  @Field(() => [SourceApiCalls], { description: 'Host API requests per hosted source: since this process started (embedded), or by every worker (Redis).' })
  apiCalls!: SourceApiCalls[];
}

/* Relay connections, one class pair per node type. */

function edgeAndConnection<T>(name: string, node: () => abstract new (...args: never[]) => T) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String) cursor!: string;
    @Field(node) node!: T;
  }
  @ObjectType(`${name}Connection`, { description: `A page of ${name} objects (Relay).` })
  class Connection {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => [node()]) nodes!: T[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int, { description: 'Count of all items matching, across pages.' }) totalCount!: number;
  }
  return Connection;
}

export const RepositoryConnection = edgeAndConnection('Repository', () => Repository);
export const ModelConnection = edgeAndConnection('Model', () => Model);
export const ModelVersionConnection = edgeAndConnection('ModelVersion', () => ModelVersion);
export const RegistryEventConnection = edgeAndConnection('RegistryEvent', () => RegistryEvent);
