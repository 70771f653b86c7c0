// The registry's public surface: GTO's fold, version order, refs, and the snapshot vocabulary.
export { foldRegistry } from './foldRegistry.js';
export { compareVersionsDescending, isSemverName } from './compareVersions.js';
export { modelRef, versionRef, parseModelRef, parseVersionRef, parseRepositoryRef } from './refs.js';
export { repositoryKey, repositoryKeysOf } from './repositoryKey.js';
export { diffKeyValues } from './diff.js';
export type { DiffStatus, KeyValueDiff } from './diff.js';
export type { ModelRefParts, VersionRefParts } from './refs.js';
export type * from './types.js';
export type * from './snapshot.js';
export { planGtoTag, bumpVersion } from './gtoTags.js';
export type { ArtifactState, ArtifactVersionState, GtoTagRequest, PlannedGtoTag, PlanOptions, VersionBump } from './gtoTags.js';
