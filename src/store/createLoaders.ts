import DataLoader from 'dataloader';
import { repositoryKeysOf } from '../registry/index.js';
import type { ModelRecord, RepositoryRecord } from '../registry/index.js';
import type { RegistryStore, RepositoryStatus } from './RegistryStore.js';

/** The per-request DataLoaders over a store. Create one set per request, never share. */
export interface Loaders {
  repository: DataLoader<string, RepositoryRecord | undefined>;
  model: DataLoader<string, ModelRecord | undefined>;
  status: DataLoader<string, RepositoryStatus | undefined>;
  /** Indexed repositories by `repositoryKey` of their URL (`github.com/acme/churn`), to resolve DVC imports. */
  repositoryByKey: DataLoader<string, RepositoryRecord | undefined>;
}

export function createLoaders(store: RegistryStore): Loaders {
  return {
    repository: new DataLoader((refs) => store.getRepositories(refs)),
    model: new DataLoader((refs) => store.getModels(refs)),
    status: new DataLoader((refs) => store.getStatuses(refs)),
    repositoryByKey: new DataLoader(async (keys) => {
      const byKey = new Map<string, RepositoryRecord>();
      for (const record of await store.getRepositories(await store.listRepositories())) {
        for (const key of record ? repositoryKeysOf(record) : []) if (record && !byKey.has(key)) byKey.set(key, record);
      }
      return keys.map((key) => byKey.get(key));
    }),
  };
}
