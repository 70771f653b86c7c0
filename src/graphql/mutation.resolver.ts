import { setTimeout as sleep } from 'node:timers/promises';
import { Arg, Ctx, Mutation, Resolver, registerEnumType } from 'type-graphql';
import { InputError, NotFoundError, UpstreamError } from '../errors.js';
import { parseModelRef, parseRepositoryRef, planGtoTag } from '../registry/index.js';
import type { ArtifactState, GtoTagRequest, ModelRecord, PlannedGtoTag, RepositoryRecord } from '../registry/index.js';
import type { GraphQLContext } from './context.js';
import { Model, ModelVersion, Repository } from './registry.types.js';
import { versionRoot } from './roots.js';
import type { VersionRoot } from './roots.js';

enum VersionBump {
  MAJOR = 'MAJOR',
  MINOR = 'MINOR',
  PATCH = 'PATCH',
}
registerEnumType(VersionBump, { name: 'VersionBump', description: 'The part of the latest version to increment (GTO `register --bump-major|minor|patch`).' });

/** Longest wait for the second after the artifact's newest tag; a tag dated further ahead (a skewed clock) is not waited for. */
const MAX_ORDERING_WAIT_MS = 1500;

@Resolver()
export class MutationResolver {
  @Mutation(() => Repository, { nullable: true, description: 'Re-index one repository now and return it as stored afterwards.' })
  async refreshRepository(@Arg('ref', () => String) ref: string, @Ctx() ctx: GraphQLContext): Promise<RepositoryRecord | undefined> {
    parseRepositoryRef(ref);
    if (!ctx.indexer) throw new UpstreamError('This gateway runs without an indexer, so it cannot refresh repositories.', 'indexer');
    await ctx.indexer.refresh(ref);
    clearLoaders(ctx);
    return ctx.loaders.repository.load(ref);
  }

  @Mutation(() => ModelVersion, {
    description:
      'Register a version (GTO `register`): tag `<name>@<version>` on `commit` (default: HEAD of the default branch). Without `version`, the latest version is bumped (`bump`, patch by default); the first version is v0.0.1. Writes with your own token (`X-Modelgate-Token-<source>` header).',
  })
  async registerModelVersion(
    @Arg('model', () => String, { description: 'Model ref: `<repository ref>:<artifact name>`.' }) model: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('version', () => String, { nullable: true, description: '`v` and a SemVer 2.0 version: `v1.2.0`, `v2.0.0-rc.1`.' }) version?: string,
    @Arg('bump', () => VersionBump, { nullable: true }) bump?: VersionBump,
    @Arg('commit', () => String, { nullable: true, description: 'Full commit SHA. Default: HEAD of the default branch.' }) commit?: string,
  ): Promise<VersionRoot> {
    return writeVersionTag(ctx, model, (_record, repository) => {
      const at = commit ?? repository?.headCommit?.sha;
      if (at === undefined) throw new InputError(`${model}: the repository has no HEAD commit to register; give \`commit\`.`);
      return {
        action: 'register',
        commit: at,
        ...(version !== undefined && version !== null ? { version } : {}),
        ...(bump ? { bump: bump.toLowerCase() as 'major' | 'minor' | 'patch' } : {}),
      };
    });
  }

  @Mutation(() => ModelVersion, {
    description:
      'Assign a stage to a version (GTO `assign`: tag `<name>#<stage>#<N>` on its commit). Assigning an older version to a stage that shows a newer one rolls the stage back. Writes with your own token.',
  })
  async assignStage(
    @Arg('model', () => String) model: string,
    @Arg('version', () => String, { description: 'Version name (`v1.2.0`), as in the version ref.' }) version: string,
    @Arg('stage', () => String) stage: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<VersionRoot> {
    return writeVersionTag(ctx, model, (record) => ({ action: 'assign', stage, ...versionArg(record, version) }));
  }

  @Mutation(() => ModelVersion, { description: 'Unassign a stage from a version (GTO `unassign`: tag `<name>#<stage>!#<N>`). Writes with your own token.' })
  async unassignStage(
    @Arg('model', () => String) model: string,
    @Arg('version', () => String) version: string,
    @Arg('stage', () => String) stage: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<VersionRoot> {
    return writeVersionTag(ctx, model, (record) => ({ action: 'unassign', stage, ...versionArg(record, version) }));
  }

  @Mutation(() => ModelVersion, { description: 'Deregister a version (GTO `deregister`: tag `<name>@<version>!`). Writes with your own token.' })
  async deregisterModelVersion(@Arg('model', () => String) model: string, @Arg('version', () => String) version: string, @Ctx() ctx: GraphQLContext): Promise<VersionRoot> {
    return writeVersionTag(ctx, model, (record) => ({ action: 'deregister', ...versionArg(record, version) }));
  }

  @Mutation(() => Model, { description: 'Deprecate a model (GTO `deprecate`: tag `<name>@deprecated`). A later registration or assignment revives it. Writes with your own token.' })
  async deprecateModel(@Arg('model', () => String) model: string, @Ctx() ctx: GraphQLContext): Promise<ModelRecord> {
    const { after } = await writeGtoTag(ctx, model, (_record, repository) => ({
      action: 'deprecate',
      ...(repository?.headCommit ? { head: repository.headCommit.sha } : {}),
    }));
    return after;
  }
}

/** A version argument as its ref names it: `v1.2.0`, or `v1.2.0~<sha>` for a name repeated at several commits. */
function versionArg(model: ModelRecord, version: string): { version: string; commit?: string } {
  const byRef = model.versions.find((v) => v.ref === `${model.ref}@${version}`);
  return byRef ? { version: byRef.name, commit: byRef.commit.sha } : { version };
}

async function writeVersionTag(
  ctx: GraphQLContext,
  model: string,
  request: (record: ModelRecord, repository: RepositoryRecord | undefined) => GtoTagRequest,
): Promise<VersionRoot> {
  const { after, planned } = await writeGtoTag(ctx, model, request);
  const version = after.versions.find((v) => v.name === planned.version && v.commit.sha === planned.commit);
  if (!version) throw new UpstreamError(`Tag ${planned.name} was written, but ${after.repository} could not be re-indexed yet; the change shows after its next refresh.`, 'indexer');
  return versionRoot(after, version);
}

/**
 * One tag-writing mutation: check the model against the index, plan the tag as GTO would
 * (`planGtoTag`), write it through the host with the caller's token, re-index the repository
 * (so the event is published and the caller's own subscription sees it) and read the model
 * back. Nothing is written when a check fails.
 */
async function writeGtoTag(
  ctx: GraphQLContext,
  modelRef: string,
  request: (record: ModelRecord, repository: RepositoryRecord | undefined) => GtoTagRequest,
): Promise<{ after: ModelRecord; planned: PlannedGtoTag }> {
  const { repository: repositoryRef } = parseModelRef(modelRef);
  const { source } = parseRepositoryRef(repositoryRef);
  const { writer, indexer } = ctx;
  if (!writer || !indexer) throw new UpstreamError('This gateway was started without a tag writer and indexer, so it cannot change model registries.', 'writer');
  const [model, repository] = await Promise.all([ctx.loaders.model.load(modelRef), ctx.loaders.repository.load(repositoryRef)]);
  if (!model) throw new NotFoundError(`No model ${modelRef} is indexed: it must be tagged already or declared in dvc.yaml at HEAD. Check the ref against \`models\`.`);

  const planned = planGtoTag(artifactStateOf(model), request(model, repository), { otherTags: repository?.problems.map((p) => p.file) ?? [] });
  const wait = planned.notBefore * 1000 - Date.now();
  if (wait > 0 && wait <= MAX_ORDERING_WAIT_MS) await sleep(wait);
  await writer.writeTag(repositoryRef, { name: planned.name, commit: planned.commit, message: planned.message }, ctx.callerTokens.get(source.toLowerCase()));

  await indexer.refresh(repositoryRef);
  clearLoaders(ctx);
  const after = await ctx.loaders.model.load(modelRef);
  if (!after) throw new UpstreamError(`Tag ${planned.name} was written, but ${repositoryRef} could not be re-indexed yet; the change shows after its next refresh.`, 'indexer');
  return { after, planned };
}

/** The stored model as the tag planner reads it. */
function artifactStateOf(model: ModelRecord): ArtifactState {
  return {
    name: model.name,
    deprecated: model.deprecated,
    versions: model.versions.map((v) => ({
      name: v.name,
      commit: v.commit.sha,
      registered: v.registered,
      deregistered: v.deregistered,
      active: v.active,
      stages: v.stages,
      activeStages: v.activeStages,
    })),
    history: model.history,
  };
}

/** After a write, every answer of this request must come from the new snapshot. */
function clearLoaders(ctx: GraphQLContext): void {
  for (const loader of Object.values(ctx.loaders)) loader.clearAll();
}
