// The same cache core on a three-master Redis Cluster: every tenant's keys share one slot (hash tag), so lookups of
// several tenants in one tick, the Lua scripts, the lease and tag invalidation all work across masters.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { Cache } from '../../../lib/cache/cache.js';
import { entryKey } from '../../../lib/cache/keys.js';
import { RedisClusterHarness } from '../../support/redisCluster.js';
import { countingLoad, encryptionKeys, gatedLoad, ObservedRedisStore, policy } from './fixtures.js';

const space = { prefix: 'fg', version: '1' };
const tenants = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];

describe('read-through cache on Redis Cluster', () => {
  let harness: RedisClusterHarness;
  let raw: Cluster;
  const caches: Cache[] = [];
  const stores = new Map<Cache, ObservedRedisStore>();
  const open = async (firstLevel = true): Promise<Cache> => {
    // A command timeout a loaded test machine cannot miss: these tests prove slots and scripts, not the 100 ms default.
    const store = new ObservedRedisStore({ connection: { mode: 'cluster', nodes: harness.nodes }, commandTimeoutMs: 2000 });
    const cache = new Cache({ store, encryption: encryptionKeys('c1'), firstLevel });
    caches.push(cache);
    stores.set(cache, store);
    assert.equal(await cache.ready(5000), true);
    return cache;
  };

  before(async () => {
    harness = await RedisClusterHarness.start();
    raw = new Cluster(harness.nodes, { redisOptions: { maxRetriesPerRequest: 1 } });
  });
  after(async () => {
    await Promise.all(caches.map((cache) => cache.close()));
    raw?.disconnect();
    await harness?.close();
  });

  it('hits and misses for many tenants read in one tick, their keys spread over the masters', async () => {
    const cache = await open(false);
    const upstream = countingLoad((call) => call);
    const readAll = () =>
      Promise.all(
        tenants.flatMap((tenant) =>
          [1, 2].map((part) =>
            cache.readThrough({
              policy: policy({ namespace: 'spread', sensitive: true }),
              scope: { tenant },
              key: [part],
              tags: [`account:${part}`],
              load: async () => `${tenant}-${part}-${await upstream.load()}`,
            }),
          ),
        ),
      );
    const first = await readAll();
    assert.equal(upstream.calls(), 12);
    assert.deepEqual(await readAll(), first);
    assert.equal(upstream.calls(), 12, 'all twelve were hits');
    assert.equal(cache.metrics().spread?.errors, 0, 'no CROSSSLOT or other store error');
    const slots = new Set<number>();
    for (const tenant of tenants) {
      const key = entryKey(space, { tenant }, 'spread', 1, [1]);
      slots.add(Number(await raw.call('CLUSTER', 'KEYSLOT', key)));
      assert.equal(
        await raw.call('CLUSTER', 'KEYSLOT', key),
        await raw.call('CLUSTER', 'KEYSLOT', `${entryKey(space, { tenant }, 'spread', 1, [2])}`),
      );
    }
    assert.ok(slots.size > 1, 'the tenants live in different slots');
    assert.equal(await cache.invalidate({ tenant: 'globex' }, ['account:1']), 1);
    await readAll();
    assert.equal(upstream.calls(), 13, "only globex's account:1 entry was dropped");
  });

  it("makes one load() between two replicas, and drops the other replica's first-level copy on invalidate", async () => {
    const replicaA = await open();
    const replicaB = await open();
    const upstream = gatedLoad((call) => call);
    const read = (cache: Cache) =>
      cache.readThrough({
        policy: policy({ namespace: 'shared' }),
        scope: { tenant: 'acme' },
        key: ['k'],
        tags: ['account:7'],
        load: upstream.load,
      });
    const reads = Promise.all([read(replicaA), read(replicaB)]);
    // The load answers once the other replica is waiting on the lease.
    await Promise.race([stores.get(replicaA)?.leaseRefusals(1), stores.get(replicaB)?.leaseRefusals(1)]);
    upstream.open();
    assert.deepEqual(await reads, [1, 1]);
    assert.equal(upstream.calls(), 1);
    await replicaA.invalidate({ tenant: 'acme' }, ['account:7']);
    await stores.get(replicaB)?.messages(1);
    assert.equal(await read(replicaB), 2, "B's first-level copy went with the message");
  });
});
