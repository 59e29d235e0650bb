// Builds the Cache a service uses from its CacheConfig, on the service's Redis when it has one (the bounded in-process
// LRU otherwise), and says in the start-up log which backend that is (never with a password or a key).
import type { Logger } from '../logging/logger.js';
import { describeRedisConnection, type RedisConnection } from '../redis/index.js';
import { Cache, type CacheOptions } from './cache.js';
import type { CacheConfig } from './config.js';
import { MemoryStore } from './memoryStore.js';
import { RedisStore, type RedisStoreOptions } from './redisStore.js';

/** Tuning a service may pass on top of the config (timeouts, breaker, batching); the defaults suit production. */
export interface CreateCacheTuning {
  store?: Omit<RedisStoreOptions, 'connection' | 'logger'>;
  cache?: Omit<CacheOptions, 'store' | 'encryption' | 'prefix' | 'version' | 'firstLevel' | 'logger'>;
}

/** `redis`: the service's Redis (its config's `redis`), or undefined for the in-process LRU. */
export function createCache(
  config: CacheConfig,
  redis: RedisConnection | undefined,
  logger?: Logger,
  tuning: CreateCacheTuning = {},
): Cache {
  const store = redis
    ? new RedisStore({ ...tuning.store, connection: redis, ...(logger ? { logger } : {}) })
    : new MemoryStore({ maxEntries: config.maxEntries, ...(tuning.cache?.clock ? { clock: tuning.cache.clock } : {}) });
  if (config.encryptionKeyGenerated) {
    logger?.warn(
      { keyId: config.encryption.current },
      'cache: no CACHE_ENCRYPTION_KEYS, using a random key for this process (sensitive values die with it)',
    );
  }
  logger?.info(
    {
      backend: store.kind,
      where: redis ? describeRedisConnection(redis) : `in-process, at most ${config.maxEntries} entries`,
      firstLevel: config.firstLevel,
      encryptionKeyId: config.encryption.current,
      keyPrefix: `${config.prefix}:{tenant}:…:v${config.version}.*`,
    },
    `cache backend: ${store.kind}`,
  );
  return new Cache({
    ...tuning.cache,
    store,
    encryption: config.encryption,
    prefix: config.prefix,
    version: config.version,
    firstLevel: config.firstLevel,
    ...(logger ? { logger } : {}),
  });
}
