// The record store's contract on both backends (this process's, and a real Redis): a record stays until its expiry or
// its deletion, a conditional write and delete act only when they should. The in-process store, what development keeps
// consents and HARD-inquiry marks on, loses nothing when filled far past the cache's LRU bound.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultMaxEntries, MemoryStore } from '../../../lib/cache/index.js';
import { createLogger } from '../../../lib/logging/logger.js';
import { createRecordStore, evictionPolicyOf, MemoryRecordStore, type RecordStore, RedisRecordStore } from '../../../lib/records/index.js';
import { ConsentStore } from '../../../subgraphs/credit/consents.js';
import { HardInquiries } from '../../../subgraphs/credit/hardInquiries.js';
import { RedisHarness } from '../../support/redis.js';

for (const backend of ['memory', 'redis'] as const) {
  describe(`record store (${backend})`, () => {
    let redis: RedisHarness | undefined;
    let store: RecordStore;
    before(async () => {
      if (backend === 'redis') {
        redis = await RedisHarness.start();
        store = new RedisRecordStore({ connection: { mode: 'single', url: redis.url } });
        assert.equal(await store.ready(2000), true);
      } else {
        store = new MemoryRecordStore();
      }
    });
    after(async () => {
      await store.close();
      await redis?.close();
    });

    it('keeps a record, replaces it, and deletes it, saying whether there was one', async () => {
      assert.equal(await store.get('r:1'), undefined);
      await store.put('r:1', 'a', 60_000);
      await store.put('r:1', 'b', 60_000);
      assert.equal(await store.get('r:1'), 'b');
      assert.equal(await store.delete('r:1'), true);
      assert.equal(await store.delete('r:1'), false);
      assert.equal(await store.get('r:1'), undefined);
    });

    it('writes only when absent and deletes only while the record holds the given value', async () => {
      assert.equal(await store.putIfAbsent('m:1', 'first', 60_000), true);
      assert.equal(await store.putIfAbsent('m:1', 'second', 60_000), false);
      assert.equal(await store.deleteIfValue('m:1', 'second'), false);
      assert.equal(await store.get('m:1'), 'first');
      assert.equal(await store.deleteIfValue('m:1', 'first'), true);
      assert.equal(await store.putIfAbsent('m:1', 'second', 60_000), true);
    });
  });
}

describe('record store (memory) by its clock', () => {
  it('forgets a record at its expiry, and a conditional write may then take its place', async () => {
    let now = Date.parse('2026-01-05T09:00:00Z');
    const store = new MemoryRecordStore({ clock: () => now });
    await store.put('r', 'v', 1000);
    assert.equal(await store.putIfAbsent('r', 'w', 1000), false);
    now += 999;
    assert.equal(await store.get('r'), 'v', 'to the last millisecond of its life');
    now += 1;
    assert.equal(await store.get('r'), undefined);
    assert.equal(await store.putIfAbsent('r', 'w', 1000), true);
    assert.equal(await store.deleteIfValue('r', 'v'), false);
  });

  it('sweeps expired records as writes come, so it holds only live ones', async () => {
    let now = Date.parse('2026-01-05T09:00:00Z');
    const store = new MemoryRecordStore({ clock: () => now });
    for (let index = 0; index < 100; index += 1) await store.put(`short:${index}`, 'v', 1000);
    await store.put('long', 'v', 3_600_000);
    now += 120_000;
    await store.put('later', 'v', 1000);
    assert.equal(store.size, 2);
    assert.equal(await store.get('long'), 'v');
  });
});

describe('development record store: never evicts', () => {
  // Far past the cache's LRU bound (and the 100 000 credit's old in-process LRU held), so an LRU would have dropped most.
  const count = 100_000 + 2 * defaultMaxEntries;

  it("loses no record when filled past the cache's LRU size, where the cache's store drops the oldest", async () => {
    const lru = new MemoryStore();
    const records = createRecordStore(undefined, createLogger('test', { level: 'silent' }), 'test records');
    assert.ok(records instanceof MemoryRecordStore, 'without Redis, records live in the non-evicting in-process store');
    for (let index = 0; index < count; index += 1) {
      await lru.set(`k:${index}`, String(index), 3_600_000);
      await records.put(`k:${index}`, String(index), 3_600_000);
    }
    assert.ok(lru.size <= defaultMaxEntries, 'the cache keeps at most its bound');
    assert.equal((await lru.mget(['k:0']))[0], null, 'the cache dropped the first entry');
    assert.equal(records.size, count);
    const missing: number[] = [];
    for (let index = 0; index < count; index += 1) if ((await records.get(`k:${index}`)) !== String(index)) missing.push(index);
    assert.deepEqual(missing, []);
    await records.close();
  });

  it('keeps every consent and every HARD-inquiry mark credit writes, however many', async () => {
    const records = createRecordStore(undefined, createLogger('test', { level: 'silent' }), 'test records');
    const consents = new ConsentStore(records, 'fg');
    const inquiries = new HardInquiries(records, 'fg');
    const customers = defaultMaxEntries + 1000;
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    for (let index = 0; index < customers; index += 1) {
      await consents.grant('acme', `cus_${index}`, {
        purpose: 'EMPLOYMENT',
        grantedAt: new Date().toISOString(),
        expiresAt,
        disclosureId: null,
      });
      assert.equal(await inquiries.claim('acme', `cus_${index}`, 'EMPLOYMENT'), true);
    }
    for (let index = 0; index < customers; index += 1) {
      assert.ok(await consents.find('acme', `cus_${index}`, 'EMPLOYMENT'), `consent of cus_${index} kept`);
      assert.equal(await inquiries.claim('acme', `cus_${index}`, 'EMPLOYMENT'), false, `HARD mark of cus_${index} kept`);
    }
    await records.close();
  });
});

describe('record store (Redis) eviction policy', () => {
  it('reads maxmemory_policy from INFO memory', () => {
    assert.equal(evictionPolicyOf('# Memory\r\nused_memory:1\r\nmaxmemory_policy:allkeys-lru\r\n'), 'allkeys-lru');
    assert.equal(evictionPolicyOf('# Memory\r\nused_memory:1\r\n'), undefined);
  });
});
