import { Field, ID, InterfaceType, Int, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';

@InterfaceType({
  description: 'An object with a global ID, fetchable with `Query.node`.',
  // Roots are stored records: a repository has a fingerprint, a model a history, a version neither.
  resolveType: (value: object) => ('fingerprint' in value ? 'Repository' : 'history' in value ? 'Model' : 'ModelVersion'),
})
export abstract class Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
}

@ObjectType({ description: 'A Git identity.' })
export class Person {
  @Field(() => String) name!: string;
  @Field(() => String) email!: string;
}

@ObjectType({ description: 'A Git commit.' })
export class Commit {
  @Field(() => String, { description: 'Full 40-character SHA.' }) sha!: string;
  @Field(() => String, { nullable: true, description: 'Commit message, trimmed.' }) message?: string;
  @Field(() => Person, { nullable: true }) author?: Person;
  @Field(() => String, { nullable: true, description: 'Author date, ISO 8601 with the original offset.' }) authoredAt?: string;
  @Field(() => String, { nullable: true, description: 'Committer date, ISO 8601 with the original offset.' }) committedAt?: string;
}

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor?: string;
  @Field(() => String, { nullable: true }) endCursor?: string;
}

@ObjectType({ description: 'Something wrong in a repository: a file that did not parse, a conflicting tag, a failed read.' })
export class IndexProblem {
  @Field(() => String, { description: 'File path from the repository root, or the tag name for tag problems.' }) file!: string;
  @Field(() => Int, { nullable: true, description: '1-based line, when known.' }) line?: number;
  @Field(() => String) message!: string;
  @Field(() => String, { nullable: true, description: 'Commit the file was read at.' }) commit?: string;
  @Field(() => String, { nullable: true, description: 'Ref of the model concerned, if any.' }) model?: string;
}

@ObjectType({ description: 'Where DVC keeps an object in remote storage.' })
export class StorageLocation {
  @Field(() => String, { description: 'Remote name from `.dvc/config`.' }) remote!: string;
  @Field(() => String, { description: 'URL of the object (DVC 3 `files/md5/…` or the 2.x layout).' }) url!: string;
}

@ObjectType({ description: 'One metric value from a metrics file at the version commit.' })
export class Metric {
  @Field(() => String, { description: 'Metrics file from the repository root.' }) path!: string;
  @Field(() => String, { description: 'Dotted key, e.g. `roc_auc.test`.' }) key!: string;
  @Field(() => GraphQLJSON, { nullable: true }) value?: unknown;
}

@ObjectType({ description: 'One parameter value from a params file (or dvc.lock) at the version commit.' })
export class Param {
  @Field(() => String, { description: 'Params file from the repository root.' }) path!: string;
  @Field(() => String, { description: 'Dotted key, e.g. `train.n_est`.' }) key!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The value in the params file at the commit (what dvc.lock recorded when the file is not in Git).' })
  value?: unknown;
}
