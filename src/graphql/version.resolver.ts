import { Arg, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../errors.js';
import { diffKeyValues } from '../registry/index.js';
import type { CommitRecord, DataFileRecord, KeyValueRecord, LineageRecord, ModelRecord, ParamRecord, Person, PlotRecord } from '../registry/index.js';
import { Commit, Metric, Person as PersonType } from './common.type.js';
import { VersionComparison } from './comparison.type.js';
import type { GraphQLContext } from './context.js';
import { toGlobalId } from './globalId.js';
import { ArtifactFile, DataFile, Lineage, Plot, VersionParam } from './provenance.type.js';
import type { ComparisonRoot } from './provenance.resolver.js';
import { Model, ModelVersion, RegistryEvent, StageAssignment } from './registry.types.js';
import { findVersion, versionAt, versionRoot } from './roots.js';
import type { ArtifactRoot, AssignmentRoot, EventRoot, VersionRoot } from './roots.js';

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

  @FieldResolver(() => String, { nullable: true, description: '`type` from `dvc.yaml` at this version\'s commit.' })
  type(@Root() version: VersionRoot): string | undefined {
    return version.declaration?.type;
  }

  @FieldResolver(() => String, { nullable: true, description: '`desc` from `dvc.yaml` at this version\'s commit.' })
  description(@Root() version: VersionRoot): string | undefined {
    return version.declaration?.description;
  }

  @FieldResolver(() => [String], { description: '`labels` from `dvc.yaml` at this version\'s commit (empty when it does not declare the artifact).' })
  labels(@Root() version: VersionRoot): string[] {
    return version.declaration?.labels ?? [];
  }

  @FieldResolver(() => ArtifactFile, { nullable: true, description: 'The model file: path, DVC md5, size and storage URL.' })
  artifact(@Root() version: VersionRoot): ArtifactRoot | undefined {
    return version.artifact ? { ...version.artifact, version: version.ref } : undefined;
  }

  @FieldResolver(() => [Metric], { description: 'Metrics read from Git at the version commit (see `metricFiles` for files that are not in Git).' })
  metrics(@Root() version: VersionRoot): KeyValueRecord[] {
    return version.metrics;
  }

  @FieldResolver(() => [DataFile], {
    description: 'Every metrics file declared at the version commit and where it is: in Git, only in DVC storage (with its URL), missing or unreadable.',
  })
  metricFiles(@Root() version: VersionRoot): DataFileRecord[] {
    return version.metricFiles ?? [];
  }

  @FieldResolver(() => [VersionParam], {
    description: "Params at the version commit as DVC merges them (stage and top-level `params`), each with dvc.lock's recorded value.",
  })
  params(@Root() version: VersionRoot): ParamRecord[] {
    return version.params;
  }

  @FieldResolver(() => [DataFile], { description: 'Every params file the pipeline reads at the version commit and where it is.' })
  paramFiles(@Root() version: VersionRoot): DataFileRecord[] {
    return version.paramFiles ?? [];
  }

  @FieldResolver(() => [Plot], { description: 'Plots declared in `dvc.yaml` at the version commit, with their data points when the data is in Git.' })
  plots(@Root() version: VersionRoot): PlotRecord[] {
    return version.plots ?? [];
  }

  @FieldResolver(() => Lineage, { nullable: true, description: 'The `dvc.lock` stage that produced the model file, and everything upstream of it.' })
  lineage(@Root() version: VersionRoot): LineageRecord | undefined {
    return version.lineage;
  }

  @FieldResolver(() => VersionComparison, {
    description:
      'Metric and param differences from this version to another, like `dvc metrics diff` / `dvc params diff` (`change` = other − this). ' +
      '`to` is a version of the same model (`v1.2.0`, `latest`) or any version ref (`<model ref>@v1.2.0`, `<model ref>#prod`). Only changed keys unless `all`.',
  })
  async compare(
    @Root() version: VersionRoot,
    @Ctx() ctx: GraphQLContext,
    @Arg('to', () => String) to: string,
    @Arg('all', () => Boolean, { nullable: true, defaultValue: false }) all?: boolean | null,
  ): Promise<ComparisonRoot> {
    const other = await resolveOther(ctx, version, to);
    return {
      from: version,
      to: other,
      metrics: diffKeyValues(version.metrics, other.metrics, all ?? false),
      params: diffKeyValues(comparableParams(version), comparableParams(other), all ?? false),
      fromUnavailable: unavailableFiles(version),
      toUnavailable: unavailableFiles(other),
    };
  }
}

/** Params as `dvc params diff` compares them: the values at the commit, not keys only dvc.lock still remembers. */
function comparableParams(version: VersionRoot): ParamRecord[] {
  const inGit = new Set((version.paramFiles ?? []).filter((f) => f.location === 'git').map((f) => f.path));
  return version.params.filter((p) => p.source === 'file' || !inGit.has(p.path));
}

/** Metrics and params files whose keys could not be compared. */
function unavailableFiles(version: VersionRoot): DataFileRecord[] {
  return [...(version.metricFiles ?? []), ...(version.paramFiles ?? [])].filter((f) => f.location !== 'git');
}

/** `v1.2.0`, `latest` or `<sha>` within the version's own model, or a full version ref. */
async function resolveOther(ctx: GraphQLContext, version: VersionRoot, to: string): Promise<VersionRoot> {
  const own = !to.includes('@') && !to.includes('#');
  // `v1.2.0`, `latest` or a SHA name a version of the same model; `#prod` / `@v1.2.0` too; anything else is a full ref.
  const ref = own ? `${version.model}@${to}` : to.startsWith('#') || to.startsWith('@') ? `${version.model}${to}` : to;
  const other = await findVersion(ctx, ref);
  if (!other) {
    throw new NotFoundError(`Version ${to} is not indexed${own ? ` for model ${version.model}` : ''}; give a version name of the same model (\`v1.2.0\`, \`latest\`, \`#prod\`) or a full ref (\`<model ref>@v1.2.0\`).`);
  }
  return other;
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
    return event.id ?? Buffer.from(`RegistryEvent:${event.model}:${event.tag}`, 'utf8').toString('base64');
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
