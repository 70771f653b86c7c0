import { Arg, Ctx, FieldResolver, ID, Int, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../errors.js';
import type { ModelRecord, ProblemRecord, RepositoryRecord } from '../registry/index.js';
import { IndexProblem } from './common.type.js';
import type { GraphQLContext } from './context.js';
import { toGlobalId } from './globalId.js';
import { paginate } from './paginate.js';
import type { Page } from './paginate.js';
import { Model, ModelVersion, ModelVersionConnection, RegistryEventConnection, Repository, StageAssignment } from './registry.types.js';
import { inStage, latestOf, versionRoot } from './roots.js';
import type { AssignmentRoot, EventRoot, VersionRoot } from './roots.js';
import { MetricPoint } from './comparison.type.js';
import type { MetricPointRoot } from './provenance.resolver.js';

@Resolver(() => Model)
export class ModelResolver {
  @FieldResolver(() => ID)
  id(@Root() model: ModelRecord): string {
    return toGlobalId('Model', model.ref);
  }

  @FieldResolver(() => Repository)
  async repository(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext): Promise<RepositoryRecord> {
    const repository = await ctx.loaders.repository.load(model.repository);
    if (!repository) throw new NotFoundError(`Repository ${model.repository} of model ${model.ref} is no longer indexed; retry the query.`);
    return repository;
  }

  @FieldResolver(() => [IndexProblem], { description: "Problems of the model's repository that concern this model (conflicting tags and the like)." })
  async problems(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext): Promise<ProblemRecord[]> {
    const repository = await ctx.loaders.repository.load(model.repository);
    return repository?.problems.filter((p) => p.model === model.ref) ?? [];
  }

  @FieldResolver(() => String, { nullable: true, description: 'Path of the model file from the repository root (from `dvc.yaml`).' })
  path(@Root() model: ModelRecord): string | undefined {
    return model.declaration?.path;
  }

  @FieldResolver(() => String, { nullable: true, description: '`type` from `dvc.yaml` (`model`, `dataset`, …).' })
  type(@Root() model: ModelRecord): string | undefined {
    return model.declaration?.type;
  }

  @FieldResolver(() => String, { nullable: true, description: '`desc` from `dvc.yaml`.' })
  description(@Root() model: ModelRecord): string | undefined {
    return model.declaration?.description;
  }

  @FieldResolver(() => [String], { description: '`labels` from `dvc.yaml`.' })
  labels(@Root() model: ModelRecord): string[] {
    return model.declaration?.labels ?? [];
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'Highest SemVer among registered versions that are not deregistered (GTO `latest`).' })
  latestVersion(@Root() model: ModelRecord): VersionRoot | undefined {
    const version = latestOf(model);
    return version ? versionRoot(model, version) : undefined;
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'A version by name (`v1.2.3`); when a name was registered at several commits, the active one.' })
  version(@Root() model: ModelRecord, @Arg('name', () => String) name: string): VersionRoot | undefined {
    const version = model.versions.find((v) => v.name === name);
    return version ? versionRoot(model, version) : undefined;
  }

  @FieldResolver(() => ModelVersionConnection, { description: 'Versions, highest SemVer first. Deregistered versions are left out unless `includeDeregistered`.' })
  versions(
    @Root() model: ModelRecord,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('includeDeregistered', () => Boolean, { nullable: true }) includeDeregistered?: boolean,
  ): Page<VersionRoot> {
    const versions = model.versions.filter((v) => includeDeregistered || !v.deregistered).map((v) => versionRoot(model, v));
    return paginate(versions, (v) => v.ref, { first, after });
  }

  @FieldResolver(() => [StageAssignment], {
    description: 'Current stages. `all: false` (default) is GTO `show`: per stage, the most recently assigned active version. `all: true` lists every active assignment.',
  })
  stages(@Root() model: ModelRecord, @Arg('all', () => Boolean, { nullable: true, defaultValue: false }) all?: boolean | null): AssignmentRoot[] {
    return (all ? model.assignments : model.stages).map((a) => ({ ...a, model: model.ref }));
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The version currently in a stage (GTO `show` semantics).' })
  stage(@Root() model: ModelRecord, @Arg('name', () => String) name: string): VersionRoot | undefined {
    const version = inStage(model, name);
    return version ? versionRoot(model, version) : undefined;
  }

  @FieldResolver(() => [MetricPoint], {
    description:
      'One metric across the registered versions, oldest SemVer first, ready for a chart: one point per version, `value` null where the version lacks it. ' +
      '`path` picks the metrics file when several have the key. Deregistered versions are left out unless `includeDeregistered`.',
  })
  metricTrend(
    @Root() model: ModelRecord,
    @Arg('key', () => String) key: string,
    @Arg('path', () => String, { nullable: true }) path?: string | null,
    @Arg('includeDeregistered', () => Boolean, { nullable: true, defaultValue: false }) includeDeregistered?: boolean | null,
  ): MetricPointRoot[] {
    return model.versions
      .filter((v) => v.registered && (includeDeregistered || !v.deregistered))
      .reverse()
      .map((v) => {
        const metric = v.metrics.find((m) => m.key === key && (path == null || m.path === path));
        return {
          version: versionRoot(model, v),
          versionName: v.name,
          createdAt: v.createdAt,
          ...(metric ? { path: metric.path, value: metric.value } : {}),
          ...(typeof metric?.value === 'number' && Number.isFinite(metric.value) ? { numericValue: metric.value } : {}),
        };
      });
  }

  @FieldResolver(() => RegistryEventConnection, { description: 'Every registry event of the model, newest first (GTO `history`).' })
  history(
    @Root() model: ModelRecord,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Page<EventRoot> {
    const events = model.history.map((e) => ({ ...e, model: model.ref }));
    return paginate(events, (e) => e.tag, { first, after });
  }
}
