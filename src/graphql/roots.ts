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
