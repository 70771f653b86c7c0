import type { ModelRecord, VersionRecord } from '../registry/index.js';
import type { ModelSummary } from './RegistryStore.js';

/** The list-filter fields of a model. */
export function summarizeModel(model: ModelRecord): ModelSummary {
  const d = model.declaration;
  return {
    ref: model.ref,
    repository: model.repository,
    name: model.name,
    ...(d?.path !== undefined ? { path: d.path } : {}),
    ...(d?.type !== undefined ? { type: d.type } : {}),
    ...(d?.description !== undefined ? { description: d.description } : {}),
    labels: d?.labels ?? [],
    deprecated: model.deprecated,
    stages: model.stages.map((s) => s.stage),
    md5s: [...new Set(model.versions.flatMap((v) => (v.artifact?.md5 !== undefined ? [v.artifact.md5] : [])))].sort(),
    imports: [...new Set(model.versions.flatMap(importKeysOf))].sort(),
  };
}

/** Keys of the repositories a version imports from: its model file, and every source of its pipeline. */
export function importKeysOf(version: VersionRecord): string[] {
  const keys: string[] = [];
  if (version.artifact?.importedFrom?.key) keys.push(version.artifact.importedFrom.key);
  for (const source of version.lineage?.sources ?? []) if (source.import?.key) keys.push(source.import.key);
  return keys;
}
