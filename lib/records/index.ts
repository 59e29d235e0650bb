// Records that must not be lost (see the README's "Redis" section): Redis when configured, a non-evicting in-process
// store in development, never the cache.
export type { RecordStore } from './recordStore.js';
export { MemoryRecordStore } from './memoryRecordStore.js';
export type { MemoryRecordStoreOptions } from './memoryRecordStore.js';
export { RedisRecordStore, evictionPolicyOf } from './redisRecordStore.js';
export type { RedisRecordStoreOptions } from './redisRecordStore.js';
export { createRecordStore } from './createRecordStore.js';
