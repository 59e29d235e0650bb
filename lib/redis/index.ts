// The one Redis layer (see the README's "Redis" section): settings from the environment, and the clients built from
// them. Every store that talks to Redis gets its client here.

export type { RedisClient, RedisClientOptions } from './client.js';
export { createRedisClient, defaultCommandTimeoutMs, defaultConnectTimeoutMs, reconnectDelayMs, whenRedisReady } from './client.js';
export { isRedisConfigured, REDIS_CHOICE_VARIABLES, REDIS_SETTING, readRedisConnection } from './config.js';
export type { HostPort, RedisConnection } from './connection.js';
export { describeRedisConnection } from './connection.js';
