// The cache library's public API (see README.md): the Cache, its policies and scopes, the two backends, and config.
export { Cache, defaultBatchWindowMs, defaultFirstLevel, defaultLeaseMs, defaultLeaseWaitMs } from './cache.js';
export type { CacheOptions, FirstLevelOptions, ReadThroughOptions } from './cache.js';
export { CachePolicyError } from './policy.js';
export type { CachePolicy } from './policy.js';
export { CacheKeyError, entryKey, tagKey, leaseKey, invalidationChannel, tenantPattern } from './keys.js';
export type { CacheScope, KeyPart, KeySpace } from './keys.js';
export type { NamespaceMetrics } from './metrics.js';
export { StoreUnavailableError } from './store.js';
export type { CacheStore, MessageHandler } from './store.js';
export { MemoryStore, defaultMaxEntries } from './memoryStore.js';
export type { MemoryStoreOptions } from './memoryStore.js';
export { RedisStore } from './redisStore.js';
export type { RedisStoreOptions } from './redisStore.js';
export { CircuitBreaker, defaultCoolDownMs, defaultFailureThreshold } from './breaker.js';
export type { BreakerOptions, BreakerState } from './breaker.js';
export { ValueCipher, EncryptionKeyError, randomEncryptionKeys } from './encryption.js';
export type { EncryptionKeys } from './encryption.js';
export { SerializeError, toJsonText, fromJsonText } from './serialize.js';
export { readCacheConfig } from './config.js';
export type { CacheConfig } from './config.js';
export { createCache } from './createCache.js';
export type { CreateCacheTuning } from './createCache.js';
export { StoreKeyValueCache } from './keyValueCache.js';
export type { ApolloKeyValueCache } from './keyValueCache.js';

/** Every entry of a tenant carries this tag in every subgraph, so that a tenant's whole cache can be dropped at once. */
export const TENANT_TAG = 'tenant';
