// The payment store's contract, on both backends (a real redis-server from the harness, and the in-process stand-in):
// one claimant per key however many ask at once, conflicts by fingerprint, done answers, a lapsed lease taken over with
// the same payment id, a refused request's key freed, forward-only transitions, keyset listings, event ids once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Payment } from '../../../subgraphs/payments/domain.js';
import { MemoryPaymentStore } from '../../../subgraphs/payments/store/memoryPaymentStore.js';
import type { PaymentStore } from '../../../subgraphs/payments/store/paymentStore.js';
import { RedisPaymentStore } from '../../../subgraphs/payments/store/redisPaymentStore.js';
import { assertEvery } from '../../support/assertions.js';
import { samplePayment } from '../../support/payments.js';
import { RedisHarness } from '../../support/redis.js';

const payment = (id: string, createdAt: string, overrides: Partial<Payment> = {}): Payment =>
  samplePayment(id, { ownerId: 'cus_1', sourceAccountId: 'acc_1', initiatedBy: 'cus_1', upstreamId: `up-${id}`, createdAt, ...overrides });

for (const backend of ['redis', 'memory'] as const) {
  describe(`payment store (${backend})`, () => {
    let redis: RedisHarness | undefined;
    let store: PaymentStore;
    let seq = 0;
    // The in-process store's time is a clock the test moves; Redis's is its own (TIME), which only real time moves.
    let now = Date.parse('2026-01-05T09:00:00Z');
    const pass = async (ms: number) => {
      if (backend === 'memory') now += ms;
      else await new Promise((resolve) => setTimeout(resolve, ms));
    };
    const claim = (keyHash: string, fingerprint: string, leaseMs = 10_000, holder = `holder-${seq + 1}`, replayWindowMs = 3_600_000) =>
      store.claim({ tenant: 'acme', keyHash, fingerprint, paymentId: `pay_${++seq}`, holder, leaseMs, ttlMs: 60_000, replayWindowMs });

    before(async () => {
      if (backend === 'redis') {
        redis = await RedisHarness.start();
        const redisStore = new RedisPaymentStore({ connection: { mode: 'single', url: redis.url }, prefix: 'test' });
        assert.equal(await redisStore.ready(2000), true);
        store = redisStore;
      } else {
        store = new MemoryPaymentStore(() => now);
      }
    });
    after(async () => {
      await store.close();
      await redis?.close();
    });

    it('lets exactly one of many concurrent claims win; the rest are busy, then done with the same id', async () => {
      const results = await Promise.all(Array.from({ length: 40 }, () => claim('k-race', 'fp')));
      const winners = results.filter((result) => result.kind === 'claimed');
      assert.equal(winners.length, 1);
      assertEvery(results, (result) => result.kind === 'claimed' || result.kind === 'busy');
      await store.complete('acme', 'k-race', 60_000);
      const after = await claim('k-race', 'fp');
      assert.deepEqual(after, { kind: 'done', paymentId: (winners[0] as { paymentId: string }).paymentId });
      assert.deepEqual(await claim('k-race', 'other'), { kind: 'conflict' });
    });

    it('hands a lapsed or released lease to the next caller with the same payment id, and frees a forgotten key', async () => {
      const first = await claim('k-lease', 'fp', 1, 'h-first');
      await pass(5);
      const second = await claim('k-lease', 'fp', 10_000, 'h-second');
      assert.equal(second.kind, 'claimed');
      assert.equal((second as { paymentId: string }).paymentId, (first as { paymentId: string }).paymentId);
      // The first holder, slow and back, cannot end the lease it lost, nor free the key under the one who took over.
      await store.release('acme', 'k-lease', 'h-first', true);
      assert.deepEqual(await claim('k-lease', 'fp', 10_000, 'h-third'), { kind: 'busy' });
      await store.release('acme', 'k-lease', 'h-second', false);
      assert.deepEqual(await claim('k-lease', 'fp', 10_000, 'h-third'), second);
      await store.release('acme', 'k-lease', 'h-third', true);
      const fresh = await claim('k-lease', 'another request');
      assert.equal(fresh.kind, 'claimed');
      assert.notEqual((fresh as { paymentId: string }).paymentId, (first as { paymentId: string }).paymentId);
    });

    it("does not take over a lapsed payment begun before the providers' replay window", async () => {
      await claim('k-old', 'fp', 1, 'h-old');
      await pass(20);
      // Inside the window it would be taken over; past it (here: a window of 10 ms) nobody may make it again.
      assert.deepEqual(await claim('k-old', 'fp', 10_000, 'h-late', 10), { kind: 'unresolved' });
      assert.equal((await claim('k-old', 'fp', 10_000, 'h-late', 3_600_000)).kind, 'claimed');
    });

    it('moves statuses forward only and keeps the history', async () => {
      assert.equal(await store.save(payment('p-status', '2026-11-20T10:00:00.000Z')), true);
      assert.equal(await store.save(payment('p-status', '2026-11-20T10:00:00.000Z')), false, 'a second save of one id stores nothing');
      assert.equal(
        await store.transition('acme', 'p-status', { status: 'SETTLED', at: '2026-11-20T10:05:00.000Z', source: 'transfer_completed' }),
        true,
      );
      assert.equal(
        await store.transition('acme', 'p-status', { status: 'PENDING', at: '2026-11-20T10:06:00.000Z', source: 'transfer_created' }),
        false,
      );
      assert.equal(
        await store.transition('acme', 'p-status', { status: 'FAILED', at: '2026-11-20T10:07:00.000Z', source: 'transfer_failed' }),
        false,
      );
      const stored = await store.get('acme', 'p-status');
      assert.equal(stored?.status, 'SETTLED');
      assert.deepEqual(
        stored?.statusHistory.map((change) => change.status),
        ['PENDING', 'SETTLED'],
      );
      assert.equal(await store.get('globex', 'p-status'), undefined);
      assert.deepEqual(await store.findByUpstream('transfers', 'up-p-status'), { tenant: 'acme', id: 'p-status' });
    });

    it('lists newest first with keyset positions', async () => {
      const owner = `cus_list_${backend}`;
      for (const [index, day] of ['01', '02', '03'].entries())
        await store.save(payment(`p-list-${index}`, `2026-11-${day}T00:00:00.000Z`, { ownerId: owner }));
      const first = await store.list({ tenant: 'acme', index: { kind: 'owner', id: owner }, after: undefined, first: 2 });
      assert.deepEqual(
        first.payments.map((entry) => entry.id),
        ['p-list-2', 'p-list-1'],
      );
      const second = await store.list({ tenant: 'acme', index: { kind: 'owner', id: owner }, after: first.next, first: 2 });
      assert.deepEqual(
        second.payments.map((entry) => entry.id),
        ['p-list-0'],
      );
      assert.equal(second.next, undefined);
    });

    if (backend === 'memory')
      it('remembers an event id for its whole life: a replay a day later is refused, one after it is not', async () => {
        let now = Date.parse('2026-01-05T09:00:00Z');
        const aging = new MemoryPaymentStore(() => now);
        const week = 7 * 24 * 3_600_000;
        assert.equal(await aging.rememberEvent('transfers', 'evt_old', week), true);
        now += 24 * 3_600_000;
        assert.equal(await aging.rememberEvent('transfers', 'evt_old', week), false, 'a day later: still a replay');
        now += week - 24 * 3_600_000 - 1;
        assert.equal(await aging.rememberEvent('transfers', 'evt_old', week), false, 'to the last millisecond of the week');
        now += 1;
        assert.equal(await aging.rememberEvent('transfers', 'evt_old', week), true, 'forgotten once its week is over');
      });

    it('remembers an event id once', async () => {
      assert.equal(await store.rememberEvent('processor', 'evt_1', 60_000), true);
      assert.equal(await store.rememberEvent('processor', 'evt_1', 60_000), false);
      await store.forgetEvent('processor', 'evt_1');
      assert.equal(await store.rememberEvent('processor', 'evt_1', 60_000), true);
    });
  });
}
