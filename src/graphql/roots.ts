import type { ModelRecord, RegistryEventRecord, StageAssignmentRecord, VersionRecord } from '../registry/index.js';

/**
 * The values resolvers pass around: stored records, plus the model ref where the record
 * alone does not say which model it belongs to.
 */
export type VersionRoot = VersionRecord & { model: string };
export type AssignmentRoot = StageAssignmentRecord & { model: string };
export type EventRoot = RegistryEventRecord & { model: string };

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
