import { parseVersionRef } from '../registry/index.js';
import type { ArtifactFileRecord, ModelRecord, RegistryEventRecord, StageAssignmentRecord, VersionRecord } from '../registry/index.js';
import type { GraphQLContext } from './context.js';

/**
 * The values resolvers pass around: stored records, plus the model ref where the record
 * alone does not say which model it belongs to.
 */
export type VersionRoot = VersionRecord & { model: string };
export type AssignmentRoot = StageAssignmentRecord & { model: string };
/** `id` is set on live events (subscriptions): the event's position in the event stream. */
export type EventRoot = RegistryEventRecord & { model: string; id?: string };
/** A model file, with the ref of the version it belongs to. */
export type ArtifactRoot = ArtifactFileRecord & { version: string };

export function versionRoot(model: ModelRecord, version: VersionRecord): VersionRoot {
  return { ...version, model: model.ref };
}

/** The version `name` at `commit`: a name can repeat at several commits, so both are needed. */
export function versionAt(model: ModelRecord, name: string | undefined, commit: string | undefined): VersionRecord | undefined {
  return model.versions.find((v) => v.name === name && v.commit.sha === commit);
}

/** GTO's latest version of a model. */
export function latestOf(model: ModelRecord): VersionRecord | undefined {
  return versionAt(model, model.latestVersion, model.latestCommit);
}

/** The version a stage currently shows (GTO `show`). */
export function inStage(model: ModelRecord, stage: string): VersionRecord | undefined {
  const assignment = model.stages.find((s) => s.stage === stage);
  return assignment && versionAt(model, assignment.version, assignment.commit);
}

/** `<model>@v1.2.3`, `<model>@latest`, `<model>@<sha>` or `<model>#stage` → the version, if any. */
export async function findVersion(ctx: GraphQLContext, ref: string): Promise<VersionRoot | undefined> {
  const parts = parseVersionRef(ref);
  const model = await ctx.loaders.model.load(`${parts.repository}:${parts.artifact}`);
  if (!model) return undefined;
  let found: VersionRecord | undefined;
  if (parts.stage !== undefined) {
    found = inStage(model, parts.stage);
  } else if (parts.version === 'latest' || parts.version === 'greatest') {
    found = latestOf(model);
  } else {
    // Refs are unique: a name repeated at another commit carries a `~<sha>` suffix.
    found = model.versions.find((v) => v.ref === `${model.ref}@${parts.version}`);
  }
  return found ? versionRoot(model, found) : undefined;
}
