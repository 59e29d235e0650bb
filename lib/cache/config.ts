// The cache's configuration from the environment: the encryption keys for sensitive values, the key space, and the
// in-process bound. Which Redis (if any) is lib/redis's to read; whether there is one decides the rules here. A wrong
// value stops the service with a message naming the variable; a key is never quoted back.
import { ConfigError, type Env, readBoolean, readInt, readOptionalString, readString } from '../config/env.js';
import { isRedisConfigured } from '../redis/index.js';
import { type EncryptionKeys, keyIdPattern, randomEncryptionKeys } from './encryption.js';
import { getValidKeySpace } from './keys.js';
import { defaultMaxEntries } from './memoryStore.js';

export interface CacheConfig {
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
  const current = currentId ?? ([...keys.keys()][0] as string);
  if (!keys.has(current)) throw new ConfigError('CACHE_ENCRYPTION_KEY_ID', `one of the ids in ${name}`, current);
  return { keys, current };
}

export function readCacheConfig(env: Env): CacheConfig {
  const redis = isRedisConfigured(env);
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
    throw new ConfigError(
      variable,
      variable === 'CACHE_PREFIX' ? 'lowercase letters, digits and dashes (up to 32)' : 'letters, digits and dashes (up to 32)',
      variable === 'CACHE_PREFIX' ? prefix : version,
    );
  }
  return {
    encryption: configured ?? randomEncryptionKeys(),
    encryptionKeyGenerated: !configured,
    prefix,
    version,
    maxEntries: readInt(env, 'CACHE_MAX_ENTRIES', defaultMaxEntries, { min: 1, max: 10_000_000 }),
    firstLevel: readBoolean(env, 'CACHE_L1', redis),
  };
}
