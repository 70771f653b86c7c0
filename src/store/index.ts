// The store's public surface: the contract, the embedded implementation, per-request loaders.
export type { RegistryStore, ModelSummary, RepositoryStatus } from './RegistryStore.js';
export { InMemoryRegistryStore } from './InMemoryRegistryStore.js';
export { createLoaders } from './createLoaders.js';
export { importKeysOf } from './summarizeModel.js';
export type { Loaders } from './createLoaders.js';
