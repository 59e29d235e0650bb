// The read-through cache on the in-process backend: hits, misses, expiry, versions, tenant scoping, coalescing,
// stale-while-revalidate, stale-if-error, errors never cached, tags, and the bound on entries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cache } from '../../../lib/cache/cache.js';
import { CacheKeyError } from '../../../lib/cache/keys.js';
import { MemoryStore } from '../../../lib/cache/memoryStore.js';
import { CachePolicyError } from '../../../lib/cache/policy.js';
import { FinGraphError, upstreamUnavailable } from '../../../lib/errors/index.js';
import { countingLoad, encryptionKeys, gatedLoad, type ManualClock, manualClock, policy } from './fixtures.js';

function memoryCache(options: { version?: string; store?: MemoryStore; clock?: ManualClock } = {}): Cache {
  return new Cache({
    store: options.store ?? new MemoryStore(options.clock ? { clock: options.clock.now } : {}),
    encryption: encryptionKeys('m1'),
    ...(options.version ? { version: options.version } : {}),
    ...(options.clock ? { clock: options.clock.now } : {}),
  });
}

const acme = { tenant: 'acme' };

describe('read-through cache, in-process backend', () => {
  it('misses, then hits until freshness ends, then misses again', async () => {
    const clock = manualClock();
    const cache = memoryCache({ clock });
    const short = policy({ freshSeconds: 60, staleSeconds: 0 });
    const upstream = countingLoad((call) => ({ call, minor: 1050n, asOf: new Date('2024-05-01T12:00:00Z') }));
    const read = () => cache.readThrough({ policy: short, scope: acme, key: ['northwind', 'acc-1'], load: upstream.load });
    assert.equal((await read()).call, 1);
    const hit = await read();
    assert.equal(hit.call, 1);
    assert.equal(hit.minor, 1050n, 'bigint survives the round trip');
    assert.ok(hit.asOf instanceof Date);
    assert.equal(upstream.calls(), 1);
    clock.advance(59_999);
    assert.equal((await read()).call, 1, 'fresh to the last millisecond');
    clock.advance(1);
    assert.equal((await read()).call, 2);
    assert.deepEqual(cache.metrics(), {
      balances: { hits: 2, misses: 2, staleServed: 0, errors: 0, upstreamCalls: 2, upstreamCallsSaved: 0 },
    });
    await cache.close();
  });

  it('misses after a policy version bump, and after a global version bump on the same store', async () => {
    const store = new MemoryStore();
    const v1 = memoryCache({ store });
    const upstream = countingLoad((call) => call);
    const read = (cache: Cache, version: number) =>
      cache.readThrough({ policy: policy({ version }), scope: acme, key: ['k'], load: upstream.load });
    assert.equal(await read(v1, 1), 1);
    assert.equal(await read(v1, 1), 1);
    assert.equal(await read(v1, 2), 2, 'policy version 2 does not read version 1 entries');
    const v2 = memoryCache({ store, version: '2' });
    assert.equal(await read(v2, 1), 3, 'CACHE_VERSION 2 does not read version 1 entries');
    assert.equal(await read(v1, 1), 1, 'the old entries are still there, just unreachable from the new version');
    await v2.close();
  });

  it('keeps tenants and principals apart, and refuses a bad tenant before calling load()', async () => {
    const cache = memoryCache();
    const read = (tenant: string, principal?: string) =>
      cache.readThrough({
        policy: policy(),
        scope: { tenant, principal },
        key: ['same-parts'],
        load: async () => `${tenant}/${principal ?? '-'}`,
      });
    assert.equal(await read('acme'), 'acme/-');
    assert.equal(await read('globex'), 'globex/-');
    assert.equal(await read('acme', 'p1'), 'acme/p1');
    assert.equal(await read('acme', 'p2'), 'acme/p2');
    assert.equal(await read('acme'), 'acme/-');
    assert.equal(await read('globex'), 'globex/-');
    assert.equal(cache.metrics().balances?.hits, 2);
    let called = false;
    await assert.rejects(
      cache.readThrough({
        policy: policy(),
        scope: { tenant: 'Acme Corp' },
        key: [],
        load: async () => {
          called = true;
        },
      }),
      CacheKeyError,
    );
    await assert.rejects(
      cache.readThrough({
        policy: policy({ namespace: 'Bad NS' }),
        scope: acme,
        key: [],
        load: async () => {
          called = true;
        },
      }),
      CachePolicyError,
    );
    assert.equal(called, false);
    await cache.close();
  });

  it('makes one load() for 100 concurrent misses on one key, and hands each caller its own copy', async () => {
    let leaseRequests = 0;
    class CountingStore extends MemoryStore {
      override async acquireLease(key: string, ttlMs: number): Promise<boolean> {
        leaseRequests += 1;
        return super.acquireLease(key, ttlMs);
      }
    }
    const cache = memoryCache({ store: new CountingStore() });
    const upstream = gatedLoad(() => ({ amount: 10n, lines: ['a'] }));
    const reads = Array.from({ length: 100 }, () =>
      cache.readThrough({ policy: policy(), scope: acme, key: ['hot'], load: upstream.load }),
    );
    // Every miss is in before the one load answers.
    await upstream.started;
    upstream.open();
    const results = await Promise.all(reads);
    assert.equal(upstream.calls(), 1);
    assert.equal(leaseRequests, 1, 'coalesced in the process: the other 99 never reached the cross-replica lease');
    for (const result of results) assert.deepEqual(result, { amount: 10n, lines: ['a'] });
    results[1]?.lines.push('changed by one request');
    assert.deepEqual(results[2]?.lines, ['a'], "one request's change is not seen by another");
    const metrics = cache.metrics().balances;
    assert.equal(metrics?.upstreamCalls, 1);
    assert.equal(metrics?.upstreamCallsSaved, 99);
    assert.equal(metrics?.misses, 100);
    await cache.close();
  });

  it('does not load again for a miss whose lookup was on the wire while the first load ended', async () => {
    // A store whose lookups can be held after they have read: the answer is from before the first load stored its value.
    let hold: Promise<void> | undefined;
    let onHeld: () => void = () => undefined;
    // Resolves when a lookup is being held (only once `hold` is set).
    const lookupHeld = new Promise<void>((resolve) => {
      onHeld = resolve;
    });
    class HeldStore extends MemoryStore {
      override async mget(keys: readonly string[]): Promise<(string | null)[]> {
        const answer = await super.mget(keys);
        if (hold) {
          onHeld();
          await hold;
        }
        return answer;
      }
    }
    const cache = memoryCache({ store: new HeldStore() });
    let releaseLoad: () => void = () => undefined;
    let loadStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      loadStarted = resolve;
    });
    let calls = 0;
    const load = async () => {
      calls += 1;
      if (calls === 1) {
        loadStarted();
        await new Promise<void>((resolve) => {
          releaseLoad = resolve;
        });
      }
      return { call: calls };
    };
    const read = () => cache.readThrough({ policy: policy(), scope: acme, key: ['racy'], load });
    const first = read();
    await started;
    let releaseLookup: () => void = () => undefined;
    hold = new Promise<void>((resolve) => {
      releaseLookup = resolve;
    });
    const second = read();
    await lookupHeld;
    releaseLoad();
    assert.deepEqual(await first, { call: 1 });
    hold = undefined;
    releaseLookup();
    assert.deepEqual(await second, { call: 1 });
    assert.equal(calls, 1);
    assert.equal(cache.metrics().balances?.upstreamCallsSaved, 1);
    await cache.close();
  });

  it('serves a stale entry at once and refreshes it in the background, once', async () => {
    const clock = manualClock();
    const cache = memoryCache({ clock });
    const swr = policy({ freshSeconds: 60, staleSeconds: 300 });
    // The refresh's load is held until the stale reads have been answered: answered they must be, without it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const upstream = {
      load: async () => {
        calls += 1;
        const call = calls;
        if (call > 1) await held;
        return `v${call}`;
      },
      calls: () => calls,
    };
    const read = () => cache.readThrough({ policy: swr, scope: acme, key: ['swr'], load: upstream.load });
    assert.equal(await read(), 'v1');
    clock.advance(60_000);
    // The refresh is held until release() below: had the stale reads waited for it, they would never be answered.
    const stale = await Promise.all([read(), read(), read()]);
    assert.deepEqual(stale, ['v1', 'v1', 'v1']);
    assert.equal(upstream.calls(), 2, 'the refresh is under way');
    release();
    await cache.idle();
    assert.equal(upstream.calls(), 2, 'one refresh for three stale reads');
    assert.equal(await read(), 'v2');
    const metrics = cache.metrics().balances;
    assert.equal(metrics?.staleServed, 3);
    assert.equal(metrics?.hits, 1);
    await cache.close();
  });

  it('serves the stale value while the upstream fails within grace, and rethrows its error unchanged after', async () => {
    const clock = manualClock();
    const cache = memoryCache({ clock });
    const grace = policy({ freshSeconds: 60, staleSeconds: 120 });
    let failure: FinGraphError | undefined;
    const load = async () => {
      if (failure) throw failure;
      return { balance: 500n, asOf: new Date('2024-05-01T09:00:00Z') };
    };
    const read = () => cache.readThrough({ policy: grace, scope: acme, key: ['sie'], load });
    await read();
    failure = upstreamUnavailable('northwind');
    clock.advance(60_000);
    const stale = await read();
    assert.deepEqual(stale, { balance: 500n, asOf: new Date('2024-05-01T09:00:00Z') }, 'the old value with its own asOf');
    await cache.idle(); // the failed background refresh settles
    clock.advance(119_999);
    assert.deepEqual(await read(), stale, 'still served to the last millisecond of grace: the failed refresh did not remove it');
    clock.advance(1);
    const error = await read().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    assert.equal(error, failure, 'the very error load() threw, not a wrapper');
    assert.equal((error as FinGraphError).code, 'UPSTREAM_UNAVAILABLE');
    await cache.close();
  });

  it('never caches an error', async () => {
    const cache = memoryCache();
    let calls = 0;
    const load = async () => {
      calls += 1;
      if (calls === 1) throw upstreamUnavailable('bureau');
      return 'recovered';
    };
    const read = () => cache.readThrough({ policy: policy(), scope: acme, key: ['err'], load });
    await assert.rejects(read(), FinGraphError);
    assert.equal(await read(), 'recovered');
    assert.equal(await read(), 'recovered');
    assert.equal(calls, 2);
    await cache.close();
  });

  it('drops tagged entries on invalidate, for that tenant only', async () => {
    const cache = memoryCache();
    const upstream = countingLoad((call) => call);
    const read = (tenant: string, key: string, tags: string[]) =>
      cache.readThrough({ policy: policy(), scope: { tenant }, key: [key], tags, load: upstream.load });
    await read('acme', 'a1', ['account:1']);
    await read('acme', 'a2', ['account:2']);
    await read('globex', 'a1', ['account:1']);
    assert.equal(await cache.invalidate({ tenant: 'acme' }, ['account:1']), 1);
    assert.equal(upstream.calls(), 3);
    await read('acme', 'a1', ['account:1']);
    await read('acme', 'a2', ['account:2']);
    await read('globex', 'a1', ['account:1']);
    assert.equal(upstream.calls(), 4, "only acme's account:1 entry was dropped");
    await cache.close();
  });

  it('does not store an invalidated load, nor a value it cannot round-trip, yet returns both', async () => {
    const cache = memoryCache();
    const slow = gatedLoad((call) => call);
    const first = cache.readThrough({ policy: policy(), scope: acme, key: ['race'], tags: ['account:9'], load: slow.load });
    // The write that invalidates the tag lands while the load is still reading.
    await slow.started;
    await cache.invalidate(acme, ['account:9']);
    slow.open();
    assert.equal(await first, 1, 'the caller still gets its value');
    assert.equal(
      await cache.readThrough({ policy: policy(), scope: acme, key: ['race'], load: slow.load }),
      2,
      'a value read before the write that invalidated it is not kept',
    );

    const odd = countingLoad(() => new Map([['a', 1]]));
    const readOdd = () => cache.readThrough({ policy: policy({ namespace: 'odd' }), scope: acme, key: ['m'], load: odd.load });
    assert.ok((await readOdd()) instanceof Map);
    assert.ok((await readOdd()) instanceof Map);
    assert.equal(odd.calls(), 2);
    await cache.close();
  });

  it('stays within the in-process bound', async () => {
    const store = new MemoryStore({ maxEntries: 5 });
    const cache = memoryCache({ store });
    for (let i = 0; i < 12; i += 1) await cache.readThrough({ policy: policy(), scope: acme, key: [i], load: async () => i });
    assert.equal(store.size, 5);
    const upstream = countingLoad(() => 0);
    await cache.readThrough({ policy: policy(), scope: acme, key: [0], load: upstream.load });
    assert.equal(upstream.calls(), 1, 'the oldest entry was evicted');
    await cache.close();
  });
});
