// Redis failing under traffic: killed, or hung. Every read still answers with load()'s result and never throws, the
// breaker opens (one warning, no per-request waiting), and hits resume by themselves once Redis is back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { RedisHarness } from '../../support/redis.js';
import { captureLogs, policy, type RedisCacheParts, rawClient, redisCache, sleep } from './fixtures.js';

describe('cache when Redis fails', () => {
  let harness: RedisHarness;
  const opened: RedisCacheParts[] = [];

  before(async () => {
    harness = await RedisHarness.start();
  });
  after(async () => {
    await Promise.all(opened.map(({ cache }) => cache.close()));
    await harness.close();
  });

  it('keeps answering from load() while Redis is killed, and hits again after it restarts', async () => {
    const logs = captureLogs();
    // No first level: every hit below has to come from Redis itself.
    const parts = await redisCache(
      harness,
      { logger: logs.logger, firstLevel: false },
      { logger: logs.logger, breaker: { coolDownMs: 300 } },
    );
    opened.push(parts);
    const { cache, store } = parts;
    const balances = policy({ namespace: 'outage' });
    let upstreamCalls = 0;
    const read = (i: number) =>
      cache.readThrough({
        policy: balances,
        scope: { tenant: 'acme' },
        key: [i % 5],
        load: async () => {
          upstreamCalls += 1;
          return `value-${i % 5}`;
        },
      });
    for (let i = 0; i < 5; i += 1) await read(i);
    assert.equal(upstreamCalls, 5);

    await harness.stop();
    const during: string[] = [];
    for (let round = 0; round < 10; round += 1) {
      during.push(
        ...(await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            cache.readThrough({
              policy: balances,
              scope: { tenant: 'acme' },
              key: [`down-${round}-${i}`],
              load: async () => `loaded-${i}`,
            }),
          ),
        )),
      );
    }
    assert.equal(during.length, 50);
    assert.deepEqual(during.slice(0, 5), ['loaded-0', 'loaded-1', 'loaded-2', 'loaded-3', 'loaded-4']);
    assert.equal(store.breakerState, 'open');
    assert.ok((cache.metrics().outage?.errors ?? 0) > 0);
    const warnings = logs.lines.filter((line) => line.level === 'warn');
    assert.equal(warnings.length, 1, `one warning for the outage: ${JSON.stringify(warnings)}`);
    assert.ok(!logs.text().includes('down-'), 'no key part is logged');

    await harness.restart();
    const deadline = Date.now() + 4000;
    let hits = 0;
    while (hits === 0 && Date.now() < deadline) {
      const before = cache.metrics().outage?.hits ?? 0;
      await cache.readThrough({ policy: balances, scope: { tenant: 'acme' }, key: ['after'], load: async () => 'again' });
      hits = (cache.metrics().outage?.hits ?? 0) - before;
      if (hits === 0) await sleep(50);
    }
    assert.ok(hits > 0, 'hits resumed without a restart of the cache');
    assert.equal(store.breakerState, 'closed');
    assert.ok(logs.lines.some((line) => line.level === 'info' && /breaker closed/.test(line.msg)));
  });

  it('empties its first level when its invalidation subscription was cut, as invalidations may have been missed', async () => {
    const parts = await redisCache(harness, { firstLevel: { ttlMs: 5000 } });
    opened.push(parts);
    let calls = 0;
    const read = () =>
      parts.cache.readThrough({
        policy: policy({ namespace: 'gap' }),
        scope: { tenant: 'acme' },
        key: ['g'],
        load: async () => {
          calls += 1;
          return calls;
        },
      });
    assert.equal(await read(), 1);
    assert.equal(await read(), 1);
    await harness.restart();
    const deadline = Date.now() + 3000;
    let value = await read();
    while (value === 1 && Date.now() < deadline) {
      await sleep(50);
      value = await read();
    }
    assert.equal(value, 2, 'the first level no longer answers with what it held before the cut');
  });

  it('stops waiting on a hung Redis once the breaker opens', async () => {
    await harness.restart(); // independent of how the previous test left it
    const parts = await redisCache(harness, { firstLevel: false }, { breaker: { coolDownMs: 5000 } });
    opened.push(parts);
    const { cache, store } = parts;
    const raw: Redis = await rawClient(harness);
    // CLIENT PAUSE makes Redis hold every client's commands: each of ours runs into its 100 ms timeout. The breaker
    // opens after five of them (about two reads); the pause outlasts that.
    await raw.call('CLIENT', 'PAUSE', '800', 'ALL');
    try {
      const read = (i: number) =>
        cache.readThrough({ policy: policy({ namespace: 'hung' }), scope: { tenant: 'acme' }, key: [i], load: async () => i });
      for (let i = 0; i < 5 && store.breakerState === 'closed'; i += 1) assert.equal(await read(i), i);
      assert.equal(store.breakerState, 'open');
      // With the breaker open no read waits on the hung server: each one's lookup is refused without being sent (the
      // breaker's own tests prove a refusal never runs the command), and every read still answers with load()'s value.
      const refusedBefore = store.breakerRefusals;
      for (let i = 10; i < 30; i += 1) assert.equal(await read(i), i);
      assert.ok(
        store.breakerRefusals - refusedBefore >= 20,
        `${store.breakerRefusals - refusedBefore} lookups refused by the open breaker`,
      );
      assert.equal(store.breakerState, 'open');
    } finally {
      await raw.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      raw.disconnect();
    }
  });
});
