// The cache library's public API (see README.md): the Cache, its policies and scopes, the two backends, and config.

export type { BreakerOptions, BreakerState } from './breaker.js';
export { CircuitBreaker, defaultCoolDownMs, defaultFailureThreshold } from './breaker.js';
export type { CacheOptions, FirstLevelOptions, ReadThroughOptions } from './cache.js';
export { Cache, defaultBatchWindowMs, defaultFirstLevel, defaultLeaseMs, defaultLeaseWaitMs } from './cache.js';
export { asLoaderError, cachedLoader } from './cachedLoader.js';
export type { CacheConfig } from './config.js';
export { readCacheConfig } from './config.js';
export type { CreateCacheTuning } from './createCache.js';
export { createCache } from './createCache.js';
export type { EncryptionKeys } from './encryption.js';
export { EncryptionKeyError, randomEncryptionKeys, ValueCipher } from './encryption.js';
export type { CacheScope, KeyPart, KeySpace } from './keys.js';
export { CacheKeyError, entryKey, invalidationChannel, leaseKey, tagKey, tenantPattern } from './keys.js';
export type { ApolloKeyValueCache } from './keyValueCache.js';
export { StoreKeyValueCache } from './keyValueCache.js';
export type { MemoryStoreOptions } from './memoryStore.js';
export { defaultMaxEntries, MemoryStore } from './memoryStore.js';
export type { NamespaceMetrics } from './metrics.js';
export type { CachePolicy } from './policy.js';
export { CachePolicyError } from './policy.js';
export type { RedisStoreOptions } from './redisStore.js';
export { RedisStore } from './redisStore.js';
export { fromJsonText, SerializeError, toJsonText } from './serialize.js';
export type { CacheStore, MessageHandler } from './store.js';
export { StoreUnavailableError } from './store.js';
export { accountTag, bankLinkTag, customerTag, paymentTag, TENANT_TAG } from './tags.js';
