// Records that must not be lost (see the README's "Redis" section): Redis when configured, a non-evicting in-process
// store in development, never the cache.

export { createRecordStore } from './createRecordStore.js';
export type { MemoryRecordStoreOptions } from './memoryRecordStore.js';
export { MemoryRecordStore } from './memoryRecordStore.js';
export type { RecordStore } from './recordStore.js';
export type { RedisRecordStoreOptions } from './redisRecordStore.js';
export { evictionPolicyOf, RedisRecordStore } from './redisRecordStore.js';
