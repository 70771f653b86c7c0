import DataLoader from 'dataloader';
import { repositoryKeysOf } from '../registry/index.js';
import type { ModelRecord, RepositoryRecord } from '../registry/index.js';
import type { ModelSummary, RegistryStore, RepositoryStatus } from './RegistryStore.js';

/** The per-request DataLoaders over a store. Create one set per request, never share. */
export interface Loaders {
  repository: DataLoader<string, RepositoryRecord | undefined>;
  model: DataLoader<string, ModelRecord | undefined>;
  status: DataLoader<string, RepositoryStatus | undefined>;
  /** Indexed repositories by `repositoryKey` of their URL (`github.com/acme/churn`), to resolve DVC imports. */
  repositoryByKey: DataLoader<string, RepositoryRecord | undefined>;
  /** Models with a version whose model file has this md5. */
  modelsByMd5: DataLoader<string, ModelRecord[]>;
  /** Models with a version that `dvc import`s from the repository with this key. */
  modelsByImport: DataLoader<string, ModelRecord[]>;
  /** Every model's summary, read once per request however many fields ask (key: `all`). */
  summaries: DataLoader<'all', ModelSummary[]>;
  /** Every repository ref, read once per request (key: `all`). */
  repositoryRefs: DataLoader<'all', string[]>;
}

export function createLoaders(store: RegistryStore): Loaders {
  const model = new DataLoader((refs: readonly string[]) => store.getModels(refs));
  const summaries = new DataLoader<'all', ModelSummary[]>(async (keys) => {
    const all = await store.listModels();
    return keys.map(() => all);
  });
  const repositoryRefs = new DataLoader<'all', string[]>(async (keys) => {
    const all = await store.listRepositories();
    return keys.map(() => all);
  });
  // One summary scan per batch, however many md5s or keys the request asks about.
  const modelsWhere = (keysOf: (summary: ModelSummary) => string[]) =>
    new DataLoader<string, ModelRecord[]>(async (keys) => {
      const wanted = new Set(keys);
      const refsByKey = new Map<string, string[]>();
      for (const summary of await summaries.load('all')) {
        for (const key of keysOf(summary)) if (wanted.has(key)) refsByKey.set(key, [...(refsByKey.get(key) ?? []), summary.ref]);
      }
      const records = await model.loadMany([...new Set([...refsByKey.values()].flat())]);
      const byRef = new Map(records.flatMap((r) => (r && !(r instanceof Error) ? [[r.ref, r] as const] : [])));
      return keys.map((key) => (refsByKey.get(key) ?? []).flatMap((ref) => byRef.get(ref) ?? []));
    });
  return {
    repository: new DataLoader((refs) => store.getRepositories(refs)),
    model,
    status: new DataLoader((refs) => store.getStatuses(refs)),
    repositoryByKey: new DataLoader(async (keys) => {
      const byKey = new Map<string, RepositoryRecord>();
      for (const record of await store.getRepositories(await repositoryRefs.load('all'))) {
        for (const key of record ? repositoryKeysOf(record) : []) if (record && !byKey.has(key)) byKey.set(key, record);
      }
      return keys.map((key) => byKey.get(key));
    }),
    modelsByMd5: modelsWhere((summary) => summary.md5s),
    modelsByImport: modelsWhere((summary) => summary.imports),
    summaries,
    repositoryRefs,
  };
}
