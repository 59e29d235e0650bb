// Builds the Cache a service uses from its CacheConfig, on the backend the config chose, and says in the start-up log
// which one that is (never with a password or a key).
import type { Logger } from '../logging/logger.js';
import { Cache, type CacheOptions } from './cache.js';
import type { CacheConfig } from './config.js';
import { MemoryStore } from './memoryStore.js';
import { RedisStore, type RedisConnection, type RedisStoreOptions } from './redisStore.js';

/** Tuning a service may pass on top of the config (timeouts, breaker, batching); the defaults suit production. */
export interface CreateCacheTuning {
  store?: Omit<RedisStoreOptions, 'connection' | 'logger'>;
  cache?: Omit<CacheOptions, 'store' | 'encryption' | 'prefix' | 'version' | 'firstLevel' | 'logger'>;
}

function where(connection: RedisConnection): string {
  switch (connection.mode) {
    case 'single': {
      const url = new URL(connection.url);
      return `${url.hostname}:${url.port || '6379'}`;
    }
    case 'sentinel':
      return `${connection.name} via ${connection.sentinels.map(({ host, port }) => `${host}:${port}`).join(',')}`;
    case 'cluster':
      return connection.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
  }
}

export function createCache(config: CacheConfig, logger?: Logger, tuning: CreateCacheTuning = {}): Cache {
  const store = config.redis
    ? new RedisStore({ ...tuning.store, connection: config.redis, ...(logger ? { logger } : {}) })
    : new MemoryStore({ maxEntries: config.maxEntries, ...(tuning.cache?.clock ? { clock: tuning.cache.clock } : {}) });
  if (config.encryptionKeyGenerated) {
    logger?.warn({ keyId: config.encryption.current },
      'cache: no CACHE_ENCRYPTION_KEYS, using a random key for this process (sensitive values die with it)');
  }
  logger?.info({
    backend: store.kind,
    where: config.redis ? where(config.redis) : `in-process, at most ${config.maxEntries} entries`,
    firstLevel: config.firstLevel,
    encryptionKeyId: config.encryption.current,
    keyPrefix: `${config.prefix}:{tenant}:…:v${config.version}.*`,
  }, `cache backend: ${store.kind}`);
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
