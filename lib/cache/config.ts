// The cache's configuration from the environment: which backend (in-process, or Redis as one server, Sentinel or
// Cluster), the encryption keys for sensitive values, and the key space. A wrong value stops the service with a
// message naming the variable; a key or password is never quoted back.
import { ConfigError, readBoolean, readInt, readOptionalString, readString, type Env } from '../config/env.js';
import { keyIdPattern, randomEncryptionKeys, type EncryptionKeys } from './encryption.js';
import { getValidKeySpace } from './keys.js';
import { defaultMaxEntries } from './memoryStore.js';
import type { HostPort, RedisConnection } from './redisStore.js';

export interface CacheConfig {
  /** Undefined: the bounded in-process LRU. */
  readonly redis: RedisConnection | undefined;
  readonly encryption: EncryptionKeys;
  /** True when no key was configured and a random one was made for this process (only allowed without Redis). */
  readonly encryptionKeyGenerated: boolean;
  readonly prefix: string;
  readonly version: string;
  /** Bound of the in-process backend. */
  readonly maxEntries: number;
  /** In-process first level in front of Redis. */
  readonly firstLevel: boolean;
}

const HIDDEN = '[hidden]';

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

/** Which Redis, if any: for services that use the store without the Cache (the gateway's persisted queries). */
export function readRedisConnection(env: Env): RedisConnection | undefined {
  const given = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'].filter((name) => readOptionalString(env, name) !== undefined);
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

function readEncryptionKeys(env: Env): EncryptionKeys | undefined {
  const name = 'CACHE_ENCRYPTION_KEYS';
  const text = readOptionalString(env, name);
  const currentId = readOptionalString(env, 'CACHE_ENCRYPTION_KEY_ID');
  if (text === undefined) {
    if (currentId !== undefined) throw new ConfigError(name, `keys, since CACHE_ENCRYPTION_KEY_ID is set`, undefined);
    return undefined;
  }
  const expected = 'comma-separated kid:base64 pairs, each key 32 bytes, each kid once';
  const keys = new Map<string, Buffer>();
  for (const item of text.split(',')) {
    const separator = item.indexOf(':');
    const kid = item.slice(0, separator).trim();
    const encoded = item.slice(separator + 1).trim();
    if (separator < 0 || !keyIdPattern.test(kid) || keys.has(kid) || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
      throw new ConfigError(name, expected, HIDDEN);
    }
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) throw new ConfigError(name, expected, HIDDEN);
    keys.set(kid, key);
  }
  const current = currentId ?? [...keys.keys()][0] as string;
  if (!keys.has(current)) throw new ConfigError('CACHE_ENCRYPTION_KEY_ID', `one of the ids in ${name}`, current);
  return { keys, current };
}

export function readCacheConfig(env: Env): CacheConfig {
  const redis = readRedisConnection(env);
  const configured = readEncryptionKeys(env);
  if (redis && !configured) {
    // A per-process key would make every sensitive value written by one replica unreadable by the others.
    throw new ConfigError('CACHE_ENCRYPTION_KEYS', 'encryption keys shared by every replica when Redis is configured', undefined);
  }
  const prefix = readString(env, 'CACHE_PREFIX', 'fg');
  const version = readString(env, 'CACHE_VERSION', '1');
  try {
    getValidKeySpace({ prefix, version });
  } catch (error) {
    const variable = /prefix/.test((error as Error).message) ? 'CACHE_PREFIX' : 'CACHE_VERSION';
    throw new ConfigError(variable, variable === 'CACHE_PREFIX' ? 'lowercase letters, digits and dashes (up to 32)'
      : 'letters, digits and dashes (up to 32)', variable === 'CACHE_PREFIX' ? prefix : version);
  }
  return {
    redis,
    encryption: configured ?? randomEncryptionKeys(),
    encryptionKeyGenerated: !configured,
    prefix,
    version,
    maxEntries: readInt(env, 'CACHE_MAX_ENTRIES', defaultMaxEntries, { min: 1, max: 10_000_000 }),
    firstLevel: readBoolean(env, 'CACHE_L1', redis !== undefined),
  };
}
