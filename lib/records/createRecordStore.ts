// Picks where a service's records live: its Redis when it has one, otherwise (development) this process's
// non-evicting store, with a warning that they die with the process. Never the cache. Its calls are spans.
import type { Logger } from '../logging/logger.js';
import type { RedisConnection } from '../redis/index.js';
import { traceStore } from '../telemetry/store.js';
import { MemoryRecordStore } from './memoryRecordStore.js';
import type { RecordStore } from './recordStore.js';
import { RedisRecordStore } from './redisRecordStore.js';

/** `what` names the records in the log ("credit consents and HARD-inquiry marks"). */
export function createRecordStore(redis: RedisConnection | undefined, logger: Logger, what: string): RecordStore {
  if (!redis) {
    logger.warn(`${what} are kept in this process only (no Redis configured): they are lost on restart`);
    return traced(new MemoryRecordStore());
  }
  const store = new RedisRecordStore({ connection: redis, logger });
  logger.info({ backend: store.kind }, `record store for ${what}: ${store.kind}`);
  return traced(store);
}

const traced = (store: RecordStore): RecordStore => traceStore('records', store, ['get', 'put', 'putIfAbsent', 'delete', 'deleteIfValue']);
