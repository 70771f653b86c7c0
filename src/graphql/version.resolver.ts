import { Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../errors.js';
import type { ArtifactFileRecord, CommitRecord, KeyValueRecord, LineageRecord, ModelRecord, Person } from '../registry/index.js';
import { ArtifactFile, Commit, Lineage, Metric, Param, Person as PersonType } from './common.type.js';
import type { GraphQLContext } from './context.js';
import { toGlobalId } from './globalId.js';
import { Model, ModelVersion, RegistryEvent, StageAssignment } from './registry.types.js';
import { versionAt, versionRoot } from './roots.js';
import type { AssignmentRoot, EventRoot, VersionRoot } from './roots.js';

async function loadModel(ctx: GraphQLContext, ref: string): Promise<ModelRecord> {
  const model = await ctx.loaders.model.load(ref);
  if (!model) throw new NotFoundError(`Model ${ref} is no longer indexed; retry the query.`);
  return model;
}

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @FieldResolver(() => ID)
  id(@Root() version: VersionRoot): string {
    return toGlobalId('ModelVersion', version.ref);
  }

  @FieldResolver(() => Model)
  model(@Root() version: VersionRoot, @Ctx() ctx: GraphQLContext): Promise<ModelRecord> {
    return loadModel(ctx, version.model);
  }

  @FieldResolver(() => String, { description: 'Version name: `v1.2.3`, or the commit SHA for a commit that only stage tags point at.' })
  version(@Root() version: VersionRoot): string {
    return version.name;
  }

  @FieldResolver(() => Commit)
  commit(@Root() version: VersionRoot): CommitRecord {
    return version.commit;
  }

  @FieldResolver(() => PersonType, { nullable: true, description: 'Who registered the version (tagger of its registration tag).' })
  author(@Root() version: VersionRoot): Person {
    return version.author;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Path of the model file at this version (from `dvc.yaml` at its commit).' })
  path(@Root() version: VersionRoot): string | undefined {
    return version.declaration?.path;
  }

  @FieldResolver(() => ArtifactFile, { nullable: true, description: 'The model file: path, DVC md5, size and storage URL.' })
  artifact(@Root() version: VersionRoot): ArtifactFileRecord | undefined {
    return version.artifact;
  }

  @FieldResolver(() => [Metric], { description: 'Metrics in Git at the version commit.' })
  metrics(@Root() version: VersionRoot): KeyValueRecord[] {
    return version.metrics;
  }

  @FieldResolver(() => [Param], { description: 'Params at the version commit.' })
  params(@Root() version: VersionRoot): KeyValueRecord[] {
    return version.params;
  }

  @FieldResolver(() => Lineage, { nullable: true, description: 'The `dvc.lock` stage that produced the model file.' })
  lineage(@Root() version: VersionRoot): LineageRecord | undefined {
    return version.lineage;
  }
}

@Resolver(() => StageAssignment)
export class StageAssignmentResolver {
  @FieldResolver(() => ModelVersion)
  async version(@Root() assignment: AssignmentRoot, @Ctx() ctx: GraphQLContext): Promise<VersionRoot> {
    const model = await loadModel(ctx, assignment.model);
    const version = versionAt(model, assignment.version, assignment.commit);
    if (!version) throw new NotFoundError(`Version ${assignment.version} of ${assignment.model} is no longer indexed; retry the query.`);
    return versionRoot(model, version);
  }
}

@Resolver(() => RegistryEvent)
export class RegistryEventResolver {
  @FieldResolver(() => ID)
  id(@Root() event: EventRoot): string {
    return Buffer.from(`RegistryEvent:${event.model}:${event.tag}`, 'utf8').toString('base64');
  }

  @FieldResolver(() => Model)
  model(@Root() event: EventRoot, @Ctx() ctx: GraphQLContext): Promise<ModelRecord> {
    return loadModel(ctx, event.model);
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The version the tag concerns (none for deprecations).' })
  async version(@Root() event: EventRoot, @Ctx() ctx: GraphQLContext): Promise<VersionRoot | undefined> {
    if (event.version === undefined) return undefined;
    const model = await loadModel(ctx, event.model);
    const version = versionAt(model, event.version, event.commit) ?? model.versions.find((v) => v.name === event.version);
    return version ? versionRoot(model, version) : undefined;
  }

  @FieldResolver(() => Commit, { description: 'The commit the tag points at.' })
  commit(@Root() event: EventRoot): CommitRecord {
    return { sha: event.commit };
  }
}
