// The Redis settings from the environment, read here and nowhere else: REDIS_URL, REDIS_SENTINELS with
// REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES (at most one). A wrong value stops the service with a message naming the
// variable; a password is never quoted back.
import { ConfigError, type Env, readOptionalString, readString } from '../config/env.js';
import type { ProductionSetting } from '../config/mode.js';
import type { HostPort, RedisConnection } from './connection.js';

const HIDDEN = '[hidden]';

/** The variables that choose a Redis: any one of them given means Redis is configured. */
export const REDIS_CHOICE_VARIABLES = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;

/** Redis, in one of its three forms: what production requires of a service that keeps records. */
export const REDIS_SETTING: ProductionSetting = {
  anyOf: [['REDIS_URL'], ['REDIS_SENTINELS', 'REDIS_SENTINEL_NAME'], ['REDIS_CLUSTER_NODES']],
  what: 'a Redis shared by every replica',
};

function parseHostPorts(env: Env, name: string): HostPort[] {
  const text = readString(env, name);
  const expected = 'comma-separated host:port pairs';
  return text.split(',').map((item) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(item.trim());
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) throw new ConfigError(name, expected, text);
    return { host: (match[1] as string).replace(/^\[(.*)\]$/, '$1'), port };
  });
}

function readRedisUrl(env: Env, name: string): string {
  const value = readString(env, name);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'a redis:// or rediss:// URL', HIDDEN);
  }
  const shown = url.password ? HIDDEN : value;
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError(name, 'a redis:// or rediss:// URL', shown);
  if (!url.hostname) throw new ConfigError(name, 'a redis:// URL with a host', shown);
  return value;
}

/** True when one of the variables choosing a Redis is set (validity is readRedisConnection's to judge). */
export function isRedisConfigured(env: Env): boolean {
  return REDIS_CHOICE_VARIABLES.some((name) => readOptionalString(env, name) !== undefined);
}

/** Which Redis, if any. Undefined: none configured (the in-process stores of development). */
export function readRedisConnection(env: Env): RedisConnection | undefined {
  const given = REDIS_CHOICE_VARIABLES.filter((name) => readOptionalString(env, name) !== undefined);
  if (given.length > 1) {
    throw new ConfigError(given.join(', '), 'at most one of REDIS_URL, REDIS_SENTINELS and REDIS_CLUSTER_NODES', 'several');
  }
  if (given[0] === 'REDIS_URL') return { mode: 'single', url: readRedisUrl(env, 'REDIS_URL') };
  if (given[0] === 'REDIS_SENTINELS') {
    return { mode: 'sentinel', sentinels: parseHostPorts(env, 'REDIS_SENTINELS'), name: readString(env, 'REDIS_SENTINEL_NAME') };
  }
  if (given[0] === 'REDIS_CLUSTER_NODES') return { mode: 'cluster', nodes: parseHostPorts(env, 'REDIS_CLUSTER_NODES') };
  return undefined;
}
