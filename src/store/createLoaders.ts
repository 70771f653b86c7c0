import DataLoader from 'dataloader';
import type { ModelRecord, RepositoryRecord } from '../registry/index.js';
import type { RegistryStore, RepositoryStatus } from './RegistryStore.js';

/** The per-request DataLoaders over a store. Create one set per request, never share. */
export interface Loaders {
  repository: DataLoader<string, RepositoryRecord | undefined>;
  model: DataLoader<string, ModelRecord | undefined>;
  status: DataLoader<string, RepositoryStatus | undefined>;
}

export function createLoaders(store: RegistryStore): Loaders {
  return {
    repository: new DataLoader((refs) => store.getRepositories(refs)),
    model: new DataLoader((refs) => store.getModels(refs)),
    status: new DataLoader((refs) => store.getStatuses(refs)),
  };
}
