import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { CommitRecord, DataFileRecord, ImportRecord, ModelRecord, RepositoryRecord } from '../registry/index.js';
import { importKeysOf } from '../store/index.js';
import type { GraphQLContext } from './context.js';
import { Commit } from './common.type.js';
import { MetricPoint, VersionComparison } from './comparison.type.js';
import { ArtifactFile, DvcImport } from './provenance.type.js';
import { ModelVersion, Repository } from './registry.types.js';
import { versionRoot } from './roots.js';
import type { ArtifactRoot, VersionRoot } from './roots.js';

/** What `ModelVersion.compare` returns: the diff rows and both versions. */
export interface ComparisonRoot {
  from: VersionRoot;
  to: VersionRoot;
  metrics: unknown[];
  params: unknown[];
  fromUnavailable: DataFileRecord[];
  toUnavailable: DataFileRecord[];
}

/** A point of `Model.metricTrend`, with its version. */
export interface MetricPointRoot {
  version: VersionRoot;
  versionName: string;
  createdAt: string;
  path?: string;
  value?: unknown;
  numericValue?: number;
}

@Resolver(() => VersionComparison)
export class VersionComparisonResolver {
  @FieldResolver(() => ModelVersion, { description: 'The version compared from (the one `compare` was asked of).' })
  from(@Root() comparison: ComparisonRoot): VersionRoot {
    return comparison.from;
  }

  @FieldResolver(() => ModelVersion, { description: 'The version compared to.' })
  to(@Root() comparison: ComparisonRoot): VersionRoot {
    return comparison.to;
  }
}

@Resolver(() => MetricPoint)
export class MetricPointResolver {
  @FieldResolver(() => ModelVersion)
  version(@Root() point: MetricPointRoot): VersionRoot {
    return point.version;
  }
}

@Resolver(() => ArtifactFile)
export class ArtifactFileResolver {
  @FieldResolver(() => DvcImport, { nullable: true, description: 'Set when the file is a `dvc import` of a file of another repository.' })
  importedFrom(@Root() artifact: ArtifactRoot): ImportRecord | undefined {
    return artifact.importedFrom;
  }

  @FieldResolver(() => [ModelVersion], {
    description: 'Other versions, in any indexed repository, whose model file has the same md5: identical bytes under another name or version.',
  })
  async sameContent(@Root() artifact: ArtifactRoot, @Ctx() ctx: GraphQLContext): Promise<VersionRoot[]> {
    if (artifact.md5 === undefined) return [];
    return (await versionsWithContent(ctx, artifact.md5)).filter((v) => v.ref !== artifact.version);
  }
}

@Resolver(() => DvcImport)
export class DvcImportResolver {
  @FieldResolver(() => Repository, { nullable: true, description: 'The source repository, when Modelgate indexes it (https, ssh and `.git` URLs all match).' })
  async repository(@Root() imported: ImportRecord, @Ctx() ctx: GraphQLContext): Promise<RepositoryRecord | undefined> {
    return imported.key ? ctx.loaders.repositoryByKey.load(imported.key) : undefined;
  }

  @FieldResolver(() => Commit, { nullable: true, description: 'The pinned commit (`rev_lock`).' })
  commit(@Root() imported: ImportRecord): CommitRecord | undefined {
    return imported.revLock ? { sha: imported.revLock } : undefined;
  }

  @FieldResolver(() => [ModelVersion], {
    description:
      'Versions of models in the source repository registered at the pinned commit whose model file is the imported path: what was imported, by name. ' +
      'When no version sits on the pinned commit, the versions whose model file has the same md5.',
  })
  async modelVersions(@Root() imported: ImportRecord, @Ctx() ctx: GraphQLContext): Promise<VersionRoot[]> {
    const repository = imported.key ? await ctx.loaders.repositoryByKey.load(imported.key) : undefined;
    if (!repository || !imported.revLock) return [];
    const models = (await ctx.loaders.model.loadMany(repository.models)).filter((m): m is ModelRecord => m !== undefined && !(m instanceof Error));
    const found: VersionRoot[] = [];
    for (const model of models) {
      for (const v of model.versions) {
        if (v.commit.sha === imported.revLock && (v.artifact?.path ?? v.declaration?.path) === imported.path) found.push(versionRoot(model, v));
      }
    }
    if (found.length > 0 || imported.md5 === undefined) return found;
    // Pinned to a commit no version sits on (`--rev main`): the versions with the same file content.
    for (const model of models) for (const v of model.versions) if (v.artifact?.md5 === imported.md5) found.push(versionRoot(model, v));
    return found;
  }
}

/** Every version, in any indexed repository, whose model file has this md5. */
export async function versionsWithContent(ctx: GraphQLContext, md5: string): Promise<VersionRoot[]> {
  const models = await ctx.loaders.modelsByMd5.load(md5);
  return models.flatMap((model) => model.versions.filter((v) => v.artifact?.md5 === md5).map((v) => versionRoot(model, v)));
}

/** Every version, in any indexed repository, that imports its model file or a pipeline input from the repository with this key. */
export async function versionsImportingFrom(ctx: GraphQLContext, key: string): Promise<VersionRoot[]> {
  const models = await ctx.loaders.modelsByImport.load(key);
  return models.flatMap((model) => model.versions.filter((v) => importKeysOf(v).includes(key)).map((v) => versionRoot(model, v)));
}
