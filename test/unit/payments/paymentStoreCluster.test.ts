// The payment store on a three-master Redis Cluster: every Lua script's keys sit in one slot (CLUSTER KEYSLOT), the
// payments of two tenants in two slots, and the provider-id map and the event ids spread by their own ids instead of
// sharing one slot for every tenant. The whole contract then runs on the cluster without a CROSSSLOT error.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import type { Payment } from '../../../subgraphs/payments/domain.js';
import { PaymentKeys } from '../../../subgraphs/payments/store/redisPaymentKeys.js';
import { RedisPaymentStore } from '../../../subgraphs/payments/store/redisPaymentStore.js';
import { samplePayment } from '../../support/payments.js';
import { RedisClusterHarness } from '../../support/redisCluster.js';

const payment = (tenant: string, id: string, createdAt = '2026-11-20T10:00:00.000Z'): Payment => samplePayment(id, { tenant, createdAt });

describe('payment store on Redis Cluster', () => {
  const keys = new PaymentKeys('test');
  let harness: RedisClusterHarness;
  let raw: Cluster;
  let store: RedisPaymentStore;
  const slot = async (key: string): Promise<number> => Number(await raw.call('CLUSTER', 'KEYSLOT', key));
  const slots = async (list: readonly string[]): Promise<Set<number>> => new Set(await Promise.all(list.map(slot)));

  before(async () => {
    harness = await RedisClusterHarness.start();
    raw = new Cluster(harness.nodes, { redisOptions: { maxRetriesPerRequest: 1 } });
    store = new RedisPaymentStore({ connection: { mode: 'cluster', nodes: harness.nodes }, prefix: 'test' });
    assert.equal(await store.ready(5000), true);
  });
  after(async () => {
    await store?.close();
    raw?.disconnect();
    await harness?.close();
  });

  it("keeps each script's keys in one slot, and two tenants' payments in two slots", async () => {
    for (const tenant of ['acme', 'globex']) {
      const scripts: Record<string, readonly string[]> = {
        claim: [keys.idempotency(tenant, 'k')],
        complete: [keys.idempotency(tenant, 'k')],
        release: [keys.idempotency(tenant, 'k')],
        save: keys.save(payment(tenant, 'p1')),
        transition: keys.transition(tenant, 'p1'),
      };
      for (const [script, scriptKeys] of Object.entries(scripts)) {
        assert.equal((await slots(scriptKeys)).size, 1, `the ${script} script of ${tenant} touches one slot`);
      }
      // A listing page is read with one pipeline per tenant: its keys share the slot too.
      const page = [
        keys.listing(tenant, 'owner', 'cus'),
        keys.record(tenant, 'p1'),
        keys.history(tenant, 'p2'),
        keys.idempotency(tenant, 'k'),
      ];
      assert.equal((await slots(page)).size, 1);
    }
    const acme = await slot(keys.record('acme', 'p1'));
    const globex = await slot(keys.record('globex', 'p1'));
    assert.notEqual(acme, globex, 'the payments of two tenants land in different slots');
  });

  it("spreads the provider-id map and the event ids by their own ids, out of every tenant's slot", async () => {
    const maps = await slots(Array.from({ length: 20 }, (_, index) => keys.upstream('transfers', `tr_${index}`)));
    const events = await slots(Array.from({ length: 20 }, (_, index) => keys.event('processor', `evt_${index}`)));
    assert.ok(maps.size > 10, `twenty payments' maps spread over many slots (${maps.size})`);
    assert.ok(events.size > 10, `twenty event ids spread over many slots (${events.size})`);
    for (const key of [keys.upstream('transfers', 'tr_1'), keys.event('processor', 'evt_1')]) {
      assert.doesNotMatch(key, /\{payments\}/, 'no key shares the one {payments} slot any more');
    }
  });

  it('runs the whole contract on the cluster, writing the keys the layout names', async () => {
    for (const tenant of ['acme', 'globex']) {
      const claim = () =>
        store.claim({
          tenant,
          keyHash: 'k1',
          fingerprint: 'fp',
          paymentId: `pay_${tenant}`,
          holder: 'h',
          leaseMs: 10_000,
          ttlMs: 60_000,
          replayWindowMs: 3_600_000,
        });
      assert.deepEqual(await claim(), { kind: 'claimed', paymentId: `pay_${tenant}` });
      await store.complete(tenant, 'k1', 60_000);
      assert.deepEqual(await claim(), { kind: 'done', paymentId: `pay_${tenant}` });
      await store.release(tenant, 'k1', 'someone else', true);
      for (const [index, day] of ['01', '02', '03'].entries())
        assert.equal(await store.save(payment(tenant, `p${index}`, `2026-11-${day}T00:00:00.000Z`)), true);
      assert.equal(
        await store.transition(tenant, 'p0', { status: 'SETTLED', at: '2026-11-20T10:05:00.000Z', source: 'transfer_completed' }),
        true,
      );
      const page = await store.list({ tenant, index: { kind: 'owner', id: `cus_${tenant}` }, after: undefined, first: 2 });
      assert.deepEqual(
        page.payments.map((entry) => entry.id),
        ['p2', 'p1'],
      );
      assert.equal((await store.get(tenant, 'p0'))?.status, 'SETTLED');
      assert.deepEqual(await store.findByUpstream('transfers', `up-${tenant}-p1`), { tenant, id: 'p1' });
      const written = [...keys.save(payment(tenant, 'p1')), keys.upstream('transfers', `up-${tenant}-p1`), keys.idempotency(tenant, 'k1')];
      assert.deepEqual(
        await Promise.all(written.map((key) => raw.exists(key))),
        written.map(() => 1),
        'the store wrote the keys the layout names',
      );
    }
    assert.equal(await store.rememberEvent('processor', 'evt_1', 60_000), true);
    assert.equal(await raw.exists(keys.event('processor', 'evt_1')), 1);
    assert.equal(await store.rememberEvent('processor', 'evt_1', 60_000), false);
    await store.forgetEvent('processor', 'evt_1');
    assert.equal(await store.rememberEvent('processor', 'evt_1', 60_000), true);
  });

  it('still finds a payment whose provider-id map was saved under the old {payments} tag', async () => {
    await raw.set(keys.legacyUpstream('processor', 'pi_saved_before'), 'acme p-legacy');
    assert.deepEqual(await store.findByUpstream('processor', 'pi_saved_before'), { tenant: 'acme', id: 'p-legacy' });
    assert.equal(await store.findByUpstream('processor', 'pi_never_saved'), undefined);
  });
});
