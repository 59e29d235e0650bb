// Builds the ioredis client for a RedisConnection, the same way for every user (the cache, the payment store, the
// record store, the gateway's persisted queries): commands time out fast and never queue while Redis is away (a
// caller fails at once rather than waiting on an outage), one retry per command, and the client reconnects forever in
// the background, through the sentinels to whichever server is master now, or through the cluster's nodes.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisConnection } from './connection.js';

export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  /** A command not answered within this many milliseconds fails. Default 100 (the cache's: a miss beats a wait). */
  commandTimeoutMs?: number;
  /** How long one connection attempt (and one question to a sentinel) may take, in milliseconds. Default 1000. */
  connectTimeoutMs?: number;
}

export const defaultCommandTimeoutMs = 100;
export const defaultConnectTimeoutMs = 1000;

/** Reconnect forever, quickly at first, never slower than once a second. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * attempt, 1000);
}

export function createRedisClient(connection: RedisConnection, options: RedisClientOptions = {}): RedisClient {
  const connectTimeout = options.connectTimeoutMs ?? defaultConnectTimeoutMs;
  const common: RedisOptions = {
    commandTimeout: options.commandTimeoutMs ?? defaultCommandTimeoutMs,
    connectTimeout,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: reconnectDelayMs,
  };
  switch (connection.mode) {
    case 'single':
      return new Redis(connection.url, common);
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: connection.sentinels.map(({ host, port }) => ({ host, port })),
        name: connection.name,
        sentinelRetryStrategy: reconnectDelayMs,
        sentinelCommandTimeout: connectTimeout,
      });
    case 'cluster': {
      // The cluster owns queueing and reconnection; its per-node clients take only the timeouts.
      const { enableOfflineQueue: _queue, retryStrategy: _retry, ...redisOptions } = common;
      return new Cluster(
        connection.nodes.map(({ host, port }) => ({ host, port })),
        {
          redisOptions,
          enableOfflineQueue: false,
          clusterRetryStrategy: reconnectDelayMs,
          slotsRefreshTimeout: connectTimeout,
        },
      );
    }
  }
}

/** Resolves true once the client can serve commands, false if it cannot within timeoutMs. */
export function whenRedisReady(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (value: boolean): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(value);
    };
    const onReady = (): void => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}
