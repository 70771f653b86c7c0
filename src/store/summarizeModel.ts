import type { ModelRecord } from '../registry/index.js';
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
  };
}
