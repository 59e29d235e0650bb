// Cache and Redis configuration from the environment: one backend at most, keys of the right size never quoted back, and no
// Redis without shared encryption keys (a per-process key would make replicas unable to read each other's values).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { readCacheConfig } from '../../../lib/cache/config.js';
import { createCache } from '../../../lib/cache/createCache.js';
import { ConfigError } from '../../../lib/config/env.js';
import { readRedisConnection } from '../../../lib/redis/index.js';
import { captureLogs } from './fixtures.js';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');

function configError(run: () => unknown, variable: string | RegExp): ConfigError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  if (typeof variable === 'string') assert.equal(caught.variable, variable);
  else assert.match(caught.variable, variable);
  return caught;
}

describe('cache config', () => {
  it('defaults to the in-process backend with a generated key and no first level', () => {
    const config = readCacheConfig({});
    assert.equal(readRedisConnection({}), undefined);
    assert.equal(config.encryptionKeyGenerated, true);
    assert.equal(config.encryption.keys.get(config.encryption.current)?.length, 32);
    assert.equal(config.prefix, 'fg');
    assert.equal(config.version, '1');
    assert.equal(config.maxEntries, 10_000);
    assert.equal(config.firstLevel, false);
  });

  it('reads a single server, Sentinel or Cluster, and turns the first level on for Redis', () => {
    const keys = { CACHE_ENCRYPTION_KEYS: `k1:${keyA},k2:${keyB}` };
    const singleEnv = { ...keys, REDIS_URL: 'redis://cache.internal:6380/2' };
    const single = readCacheConfig(singleEnv);
    assert.deepEqual(readRedisConnection(singleEnv), { mode: 'single', url: 'redis://cache.internal:6380/2' });
    assert.equal(single.firstLevel, true);
    assert.equal(single.encryption.current, 'k1', 'the first key is current by default');
    assert.equal(single.encryptionKeyGenerated, false);

    const sentinelEnv = { ...keys, REDIS_SENTINELS: 's1:26379, [::1]:26380', REDIS_SENTINEL_NAME: 'fg-main', CACHE_L1: 'false' };
    const sentinel = readCacheConfig(sentinelEnv);
    assert.deepEqual(readRedisConnection(sentinelEnv), {
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'fg-main',
    });
    assert.equal(sentinel.firstLevel, false);

    const clusterEnv = {
      ...keys,
      REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001',
      CACHE_ENCRYPTION_KEY_ID: 'k2',
      CACHE_PREFIX: 'fgx',
      CACHE_VERSION: '7',
      CACHE_MAX_ENTRIES: '500',
    };
    const cluster = readCacheConfig(clusterEnv);
    assert.deepEqual(readRedisConnection(clusterEnv), {
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
    assert.equal(cluster.encryption.current, 'k2');
    assert.deepEqual([cluster.prefix, cluster.version, cluster.maxEntries], ['fgx', '7', 500]);
  });

  it('refuses Redis without shared encryption keys, naming CACHE_ENCRYPTION_KEYS', () => {
    for (const env of [
      { REDIS_URL: 'redis://127.0.0.1:6390' },
      { REDIS_CLUSTER_NODES: '127.0.0.1:7000' },
      { REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_NAME: 'm' },
    ]) {
      configError(() => readCacheConfig(env), 'CACHE_ENCRYPTION_KEYS');
    }
  });

  it('refuses more than one backend, a sentinel list without a name, and malformed host lists', () => {
    const keys = { CACHE_ENCRYPTION_KEYS: `k1:${keyA}` };
    configError(
      () => readRedisConnection({ ...keys, REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' }),
      /REDIS_URL.*REDIS_CLUSTER_NODES/,
    );
    configError(() => readRedisConnection({ ...keys, REDIS_SENTINELS: 'a:26379' }), 'REDIS_SENTINEL_NAME');
    configError(() => readRedisConnection({ ...keys, REDIS_CLUSTER_NODES: 'a:70000' }), 'REDIS_CLUSTER_NODES');
    configError(() => readRedisConnection({ ...keys, REDIS_CLUSTER_NODES: 'a' }), 'REDIS_CLUSTER_NODES');
    configError(() => readRedisConnection({ ...keys, REDIS_URL: 'http://cache:6379' }), 'REDIS_URL');
    configError(() => readCacheConfig({ CACHE_PREFIX: 'f{g}' }), 'CACHE_PREFIX');
    configError(() => readCacheConfig({ CACHE_VERSION: 'v1.2' }), 'CACHE_VERSION');
    configError(() => readCacheConfig({ CACHE_L1: 'maybe' }), 'CACHE_L1');
    configError(() => readCacheConfig({ CACHE_MAX_ENTRIES: '0' }), 'CACHE_MAX_ENTRIES');
  });

  it('refuses wrong keys without ever quoting a key or a password', () => {
    const short = randomBytes(16).toString('base64');
    for (const value of [`k1:${short}`, `k1:${keyA},k1:${keyB}`, keyA, `bad.id:${keyA}`, `k1:${keyA}!`]) {
      const error = configError(() => readCacheConfig({ CACHE_ENCRYPTION_KEYS: value }), 'CACHE_ENCRYPTION_KEYS');
      for (const secret of [short, keyA, keyB]) assert.ok(!error.message.includes(secret));
    }
    configError(() => readCacheConfig({ CACHE_ENCRYPTION_KEYS: `k1:${keyA}`, CACHE_ENCRYPTION_KEY_ID: 'k9' }), 'CACHE_ENCRYPTION_KEY_ID');
    configError(() => readCacheConfig({ CACHE_ENCRYPTION_KEY_ID: 'k1' }), 'CACHE_ENCRYPTION_KEYS');
    const error = configError(
      () => readRedisConnection({ CACHE_ENCRYPTION_KEYS: `k1:${keyA}`, REDIS_URL: 'http://user:hunter2@cache:6379' }),
      'REDIS_URL',
    );
    assert.ok(!error.message.includes('hunter2'));
  });

  it('builds the in-process cache, saying so and warning about the generated key', async () => {
    const logs = captureLogs();
    const cache = createCache(readCacheConfig({ CACHE_MAX_ENTRIES: '50' }), undefined, logs.logger);
    const lines = logs.lines;
    assert.equal(lines.find((line) => /^cache backend/.test(line.msg))?.backend, 'memory');
    assert.ok(lines.some((line) => line.level === 'warn' && /CACHE_ENCRYPTION_KEYS/.test(line.msg)));
    const policy = { namespace: 'kyc', version: 1, freshSeconds: 60, staleSeconds: 0, sensitive: true };
    let calls = 0;
    const read = () =>
      cache.readThrough({
        policy,
        scope: { tenant: 'acme' },
        key: ['c1'],
        load: async () => {
          calls += 1;
          return { status: 'VERIFIED' };
        },
      });
    assert.deepEqual(await read(), { status: 'VERIFIED' });
    assert.deepEqual(await read(), { status: 'VERIFIED' });
    assert.equal(calls, 1);
    await cache.close();
  });
});
