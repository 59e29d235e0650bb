// Redis Sentinel, end to end through lib/redis: the settings read from REDIS_SENTINELS and REDIS_SENTINEL_NAME, then
// the cache's store, the payment store and the record store on a master with a replica. The master is killed; once
// the sentinels promote the replica, every store finds it by itself and serves what was written before, and new writes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Cache } from '../../../lib/cache/cache.js';
import { RedisStore } from '../../../lib/cache/redisStore.js';
import { RedisRecordStore } from '../../../lib/records/index.js';
import { type RedisConnection, readRedisConnection } from '../../../lib/redis/index.js';
import type { Payment } from '../../../subgraphs/payments/domain.js';
import { RedisPaymentStore } from '../../../subgraphs/payments/store/redisPaymentStore.js';
import { samplePayment } from '../../support/payments.js';
import { RedisSentinelHarness } from '../../support/redisSentinel.js';
import { countingLoad, encryptionKeys, policy, sleep } from '../cache/fixtures.js';

const payment = (id: string): Payment =>
  samplePayment(id, { ownerId: 'cus_1', sourceAccountId: 'acc_1', initiatedBy: 'cus_1', upstreamId: `up-${id}` });

/** Retries the step until it succeeds: a client finds the new master on its own schedule, within seconds. */
async function eventually<T>(what: string, step: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: still failing after the failover: ${String(error)}`);
      await sleep(50);
    }
  }
}

describe('Redis Sentinel through lib/redis', () => {
  let harness: RedisSentinelHarness;
  let connection: RedisConnection;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    harness = await RedisSentinelHarness.start();
    const read = readRedisConnection({
      REDIS_SENTINELS: harness.sentinels.map(({ host, port }) => `${host}:${port}`).join(','),
      REDIS_SENTINEL_NAME: harness.name,
    });
    assert.equal(read?.mode, 'sentinel');
    connection = read as RedisConnection;
  });
  after(async () => {
    for (const close of closers) await close();
    await harness?.close();
  });

  it('keeps the cache, the payment store and the record store working after the master dies and the replica is promoted', async () => {
    // A short cool-down: the breaker opens during the failover and must let a probe through soon after.
    const cacheStore = new RedisStore({ connection, breaker: { coolDownMs: 50 } });
    const cache = new Cache({ store: cacheStore, encryption: encryptionKeys('sentinel'), firstLevel: false });
    const payments = new RedisPaymentStore({ connection, prefix: 'test' });
    const records = new RedisRecordStore({ connection });
    closers.push(
      () => cache.close(),
      () => payments.close(),
      () => records.close(),
    );
    assert.deepEqual(await Promise.all([cache.ready(5000), payments.ready(5000), records.ready(5000)]), [true, true, true]);

    const upstream = countingLoad((call) => `balance-${call}`);
    const read = (key: string) =>
      cache.readThrough({ policy: policy({ namespace: 'sentinel' }), scope: { tenant: 'acme' }, key: [key], load: upstream.load });
    assert.equal(await read('before'), 'balance-1');
    assert.equal(await payments.save(payment('p-before')), true);
    const claim = () =>
      payments.claim({
        tenant: 'acme',
        keyHash: 'k-before',
        fingerprint: 'fp',
        paymentId: 'p-claimed',
        holder: 'h1',
        leaseMs: 600_000,
        ttlMs: 3_600_000,
        replayWindowMs: 3_600_000,
      });
    assert.deepEqual(await claim(), { kind: 'claimed', paymentId: 'p-claimed' });
    await records.put('consent:before', 'granted', 3_600_000);
    const masterBefore = await harness.masterPort();

    await harness.killMasterAndFailOver();
    assert.notEqual(harness.replicaPort, masterBefore);
    assert.equal(await harness.masterPort(), harness.replicaPort, 'the sentinels promoted the replica');

    // Each store reconnects through the sentinels to the promoted replica, which holds every write made before.
    const stored = await eventually('the payment store', async () => {
      const found = await payments.get('acme', 'p-before');
      if (!found) throw new Error('payment not found');
      return found;
    });
    assert.equal(stored.status, 'PENDING');
    assert.deepEqual(await claim(), { kind: 'busy' }, 'the idempotency lease survived the failover');
    assert.equal(
      await payments.transition('acme', 'p-before', { status: 'SETTLED', at: '2026-11-20T10:05:00.000Z', source: 'transfer_completed' }),
      true,
    );
    assert.equal(await payments.save(payment('p-after')), true);
    assert.equal((await payments.get('acme', 'p-before'))?.status, 'SETTLED');
    assert.deepEqual(await payments.findByUpstream('transfers', 'up-p-after'), { tenant: 'acme', id: 'p-after' });

    assert.equal(await eventually('the record store', () => records.get('consent:before')), 'granted');
    assert.equal(await records.putIfAbsent('mark:after', 'h', 60_000), true);

    await eventually('the cache store', () => cacheStore.mget(['probe']));
    assert.equal(cacheStore.breakerState, 'closed');
    assert.equal(await read('before'), 'balance-1', 'the entry cached before the failover is a hit on the new master');
    assert.equal(upstream.calls(), 1);
    assert.equal(await read('after'), 'balance-2');
    assert.equal(await read('after'), 'balance-2');
    assert.equal(upstream.calls(), 2, 'an entry written after the failover is a hit too');
  });
});
