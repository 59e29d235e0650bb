// Picks where a service's records live: its Redis when it has one, otherwise (development) this process's
// non-evicting store, with a warning that they die with the process. Never the cache.
import type { Logger } from '../logging/logger.js';
import type { RedisConnection } from '../redis/index.js';
import { MemoryRecordStore } from './memoryRecordStore.js';
import type { RecordStore } from './recordStore.js';
import { RedisRecordStore } from './redisRecordStore.js';

/** `what` names the records in the log ("credit consents and HARD-inquiry marks"). */
export function createRecordStore(redis: RedisConnection | undefined, logger: Logger, what: string): RecordStore {
  if (!redis) {
    logger.warn(`${what} are kept in this process only (no Redis configured): they are lost on restart`);
    return new MemoryRecordStore();
  }
  const store = new RedisRecordStore({ connection: redis, logger });
  logger.info({ backend: store.kind }, `record store for ${what}: ${store.kind}`);
  return store;
}
