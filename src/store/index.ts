// The store's public surface: the contract, the embedded and Redis implementations, Redis keys, per-request loaders.
export type { RegistryStore, ModelSummary, RepositoryStatus } from './RegistryStore.js';
export { InMemoryRegistryStore } from './InMemoryRegistryStore.js';
export { createLoaders } from './createLoaders.js';
export { importKeysOf } from './summarizeModel.js';
export type { Loaders } from './createLoaders.js';
export { RedisRegistryStore, redactRedisUrl } from './RedisRegistryStore.js';
export type { RedisRegistryStoreOptions } from './RedisRegistryStore.js';
export { RedisObjectCache } from './RedisObjectCache.js';
export type { RedisObjectCacheOptions } from './RedisObjectCache.js';
export { RedisDeliveryLog } from './RedisDeliveryLog.js';
export type { RedisDeliveryLogOptions } from './RedisDeliveryLog.js';
export { DEFAULT_KEY_PREFIX, redisKeys } from './redisKeys.js';
export type { RedisKeys, SnapshotKeys } from './redisKeys.js';
