// The read-through cache on a real Redis (the harness's own): hits and expiry, one MGET per tick, one load() across
// two replicas (the lease), and tag invalidation reaching the other replica's first level through pub/sub.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCacheConfig } from '../../../lib/cache/config.js';
import { createCache } from '../../../lib/cache/createCache.js';
import { entryKey } from '../../../lib/cache/keys.js';
import { upstreamUnavailable } from '../../../lib/errors/index.js';
import { readRedisConnection } from '../../../lib/redis/index.js';
import { captureLogs, commandCalls, countingLoad, gatedLoad, manualClock, policy, redisPerFile } from './fixtures.js';

const space = { prefix: 'fg', version: '1' };

describe('read-through cache on Redis', () => {
  const redis = redisPerFile();
  const open = redis.open;

  it('misses, hits, and expires with the policy, the entry carrying a Redis time-to-live', async () => {
    const clock = manualClock();
    const { cache } = await open({ firstLevel: false, clock: clock.now });
    const short = policy({ namespace: 'expiry', freshSeconds: 60, staleSeconds: 0 });
    const upstream = countingLoad((call) => ({ call, minor: 99n }));
    const read = () => cache.readThrough({ policy: short, scope: { tenant: 'acme' }, key: ['e1'], load: upstream.load });
    assert.deepEqual(await read(), { call: 1, minor: 99n });
    assert.deepEqual(await read(), { call: 1, minor: 99n });
    const ttl = await redis.raw().pttl(entryKey(space, { tenant: 'acme' }, 'expiry', 1, ['e1']));
    assert.ok(ttl > 59_000 && ttl <= 60_000, `pttl ${ttl}`);
    clock.advance(60_000);
    assert.deepEqual(await read(), { call: 2, minor: 99n });
    assert.equal(upstream.calls(), 2);
    assert.deepEqual(cache.metrics().expiry, { hits: 1, misses: 2, staleServed: 0, errors: 0, upstreamCalls: 2, upstreamCallsSaved: 0 });
  });

  it('misses after a global version bump on the same Redis', async () => {
    const { cache: v1 } = await open({ firstLevel: false });
    const { cache: v2 } = await open({ firstLevel: false, version: '2' });
    const upstream = countingLoad((call) => call);
    const read = (cache: typeof v1) =>
      cache.readThrough({ policy: policy({ namespace: 'versioned' }), scope: { tenant: 'acme' }, key: ['x'], load: upstream.load });
    assert.equal(await read(v1), 1);
    assert.equal(await read(v1), 1);
    assert.equal(await read(v2), 2);
    assert.equal(await read(v2), 2);
  });

  it('fetches the keys asked for in one tick with exactly one MGET, across tenants', async () => {
    const { cache } = await open({ firstLevel: false });
    const reads = () =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          cache.readThrough({
            policy: policy({ namespace: 'batched' }),
            scope: { tenant: i % 2 ? 'acme' : 'globex' },
            key: [i],
            load: async () => i,
          }),
        ),
      );
    await redis.raw().config('RESETSTAT');
    assert.deepEqual(
      await reads(),
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.equal(await commandCalls(redis.raw(), 'mget'), 1, 'twenty cold lookups, one MGET');
    await redis.raw().config('RESETSTAT');
    assert.deepEqual(
      await reads(),
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.equal(await commandCalls(redis.raw(), 'mget'), 1, 'twenty warm lookups, one MGET');
    assert.equal(await commandCalls(redis.raw(), 'get'), 0);
    assert.equal(cache.metrics().batched?.hits, 20);
  });

  it('makes one load() between two replicas missing the same key at once (the lease)', async () => {
    const { cache: replicaA, store: storeA } = await open();
    const { cache: replicaB, store: storeB } = await open();
    const upstream = gatedLoad((call) => ({ call }));
    const read = (cache: typeof replicaA) =>
      cache.readThrough({ policy: policy({ namespace: 'leased' }), scope: { tenant: 'acme' }, key: ['cold'], load: upstream.load });
    const reads = Promise.all([read(replicaA), read(replicaB), read(replicaA), read(replicaB)]);
    // One replica loads; the other, refused the lease, waits for its value. Only then does the upstream answer.
    await Promise.all([upstream.started, Promise.race([storeA.leaseRefusals(1), storeB.leaseRefusals(1)])]);
    upstream.open();
    const results = await reads;
    assert.equal(upstream.calls(), 1);
    assert.deepEqual(results, [{ call: 1 }, { call: 1 }, { call: 1 }, { call: 1 }]);
    const a = replicaA.metrics().leased;
    const b = replicaB.metrics().leased;
    assert.equal((a?.upstreamCalls ?? 0) + (b?.upstreamCalls ?? 0), 1);
    assert.equal((a?.upstreamCallsSaved ?? 0) + (b?.upstreamCallsSaved ?? 0), 3);
    const lease = `${entryKey(space, { tenant: 'acme' }, 'leased', 1, ['cold'])}:lease`;
    assert.equal(await redis.raw().exists(lease), 0, 'the winner released its lease');
  });

  it("keeps a replica waiting while the lease holder's load outlasts the lease wait, so a slow upstream is read once", async () => {
    // A load that outlasts the wait: the waiter must not read the upstream while the holder still is.
    const { cache: replicaA, store: storeA } = await open({ leaseWaitMs: 50 });
    const { cache: replicaB, store: storeB } = await open({ leaseWaitMs: 50 });
    const upstream = gatedLoad((call) => ({ call }));
    const read = (cache: typeof replicaA) =>
      cache.readThrough({ policy: policy({ namespace: 'slow' }), scope: { tenant: 'acme' }, key: ['cold'], load: upstream.load });
    const reads = Promise.all([read(replicaA), read(replicaB)]);
    // The holder's load answers only after the waiter has been refused the lease twice: once on its miss, and again
    // after its lease wait, when it looked whether the holder was still loading and found it was.
    await Promise.race([storeA.leaseRefusals(2), storeB.leaseRefusals(2)]);
    upstream.open();
    const results = await reads;
    assert.equal(upstream.calls(), 1, 'one upstream read for both replicas');
    assert.deepEqual(results, [{ call: 1 }, { call: 1 }]);
    const saved = (replicaA.metrics().slow?.upstreamCallsSaved ?? 0) + (replicaB.metrics().slow?.upstreamCallsSaved ?? 0);
    assert.equal(saved, 1, "the waiter took the holder's value");
  });

  it("lets a waiting replica take the lease over and load when the holder's load fails", async () => {
    const { cache: replicaA, store: storeA } = await open({ leaseWaitMs: 50 });
    const { cache: replicaB, store: storeB } = await open({ leaseWaitMs: 50 });
    let calls = 0;
    let holderFails: () => void = () => undefined;
    const failing = new Promise<void>((resolve) => {
      holderFails = resolve;
    });
    const load = async () => {
      calls += 1;
      const call = calls;
      if (call === 1) {
        await failing;
        throw upstreamUnavailable('northwind');
      }
      return { call };
    };
    const read = (cache: typeof replicaA) =>
      cache.readThrough({ policy: policy({ namespace: 'failover' }), scope: { tenant: 'acme' }, key: ['cold'], load });
    // Either replica may win the lease: its caller gets the failure, the other's the second load. The holder fails
    // only once the other replica is waiting on its lease.
    const settled = Promise.allSettled([read(replicaA), read(replicaB)]);
    await Promise.race([storeA.leaseRefusals(1), storeB.leaseRefusals(1)]);
    holderFails();
    const outcomes = await settled;
    assert.equal(outcomes.filter((outcome) => outcome.status === 'rejected').length, 1, "the holder's caller gets its failure");
    assert.deepEqual(
      outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : [])),
      [{ call: 2 }],
      'the waiter loaded once the lease was free',
    );
    assert.equal(calls, 2);
    const lease = `${entryKey(space, { tenant: 'acme' }, 'failover', 1, ['cold'])}:lease`;
    assert.equal(await redis.raw().exists(lease), 0, 'the replica that took the lease over released it');
  });

  it("invalidates a tag in Redis and in every replica's first level", async () => {
    // A first level that would otherwise keep entries for 5 s: only the pub/sub message can drop B's copy in time.
    const { cache: replicaA } = await open({ firstLevel: { ttlMs: 5000 } });
    const { cache: replicaB, store: storeB } = await open({ firstLevel: { ttlMs: 5000 } });
    const upstream = countingLoad((call) => call);
    const read = (cache: typeof replicaA, key: string, tag: string) =>
      cache.readThrough({
        policy: policy({ namespace: 'tagged' }),
        scope: { tenant: 'acme' },
        key: [key],
        tags: [tag],
        load: upstream.load,
      });
    assert.equal(await read(replicaA, 'balance', 'account:1'), 1);
    assert.equal(await read(replicaB, 'balance', 'account:1'), 1, "B reads A's value");
    assert.equal(await read(replicaB, 'other', 'account:2'), 2);
    await redis.raw().config('RESETSTAT');
    assert.equal(await read(replicaB, 'balance', 'account:1'), 1);
    assert.equal(await commandCalls(redis.raw(), 'mget'), 0, 'B answers from its first level');

    assert.equal(await replicaA.invalidate({ tenant: 'acme' }, ['account:1']), 1);
    assert.equal(await redis.raw().exists(entryKey(space, { tenant: 'acme' }, 'tagged', 1, ['balance'])), 0);
    await storeB.messages(1);
    assert.equal(await read(replicaB, 'balance', 'account:1'), 3, 'B dropped its first-level copy on the message and loaded again');
    assert.equal(await read(replicaB, 'other', 'account:2'), 2, 'an entry with another tag stays');
  });

  it('is built from the environment by createCache, on Redis, saying so', async () => {
    const logs = captureLogs();
    const env = { REDIS_URL: `${redis.harness().url}/0`, CACHE_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };
    const cache = createCache(readCacheConfig(env), readRedisConnection(env), logs.logger);
    assert.equal(await cache.ready(), true);
    const upstream = countingLoad(() => 'v');
    const read = () =>
      cache.readThrough({
        policy: policy({ namespace: 'configured', sensitive: true }),
        scope: { tenant: 'acme' },
        key: ['c'],
        load: upstream.load,
      });
    await read();
    await read();
    assert.equal(upstream.calls(), 1);
    assert.equal(logs.lines.find((line) => /^cache backend/.test(line.msg))?.backend, 'redis-single');
    assert.ok(!logs.text().includes(Buffer.alloc(32, 7).toString('base64')), 'the key is never logged');
    await cache.close();
  });
});
