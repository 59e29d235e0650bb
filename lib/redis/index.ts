// The one Redis layer (see the README's "Redis" section): settings from the environment, and the clients built from
// them. Every store that talks to Redis gets its client here.
export { describeRedisConnection } from './connection.js';
export type { HostPort, RedisConnection } from './connection.js';
export { isRedisConfigured, readRedisConnection, REDIS_CHOICE_VARIABLES, REDIS_SETTING } from './config.js';
export { createRedisClient, defaultCommandTimeoutMs, defaultConnectTimeoutMs, reconnectDelayMs, whenRedisReady } from './client.js';
export type { RedisClient, RedisClientOptions } from './client.js';
