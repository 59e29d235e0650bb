// The rate limiter's stores: GCRA in process on a clock the test moves (burst, sustained rate, all or nothing), the
// same script on a three-master Redis Cluster with every budget of a request in one slot (CLUSTER KEYSLOT), and the
// Redis answers agreeing with the in-process reference.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { FallbackRateLimitStore } from '../../../gateway/plugins/rateLimits/fallbackStore.js';
import { budgetKeys, hashTagOf } from '../../../gateway/plugins/rateLimits/keys.js';
import { MemoryRateLimitStore } from '../../../gateway/plugins/rateLimits/memoryStore.js';
import type { Rate } from '../../../gateway/plugins/rateLimits/options.js';
import { RedisRateLimitStore } from '../../../gateway/plugins/rateLimits/redisStore.js';
import type { BudgetCharge, BudgetState, RateLimitStore } from '../../../gateway/plugins/rateLimits/store.js';
import { createLogger } from '../../../lib/logging/logger.js';
import { RedisClusterHarness } from '../../support/redisCluster.js';

// 10 units a second, 5 at once: one unit every 100 ms.
const rate: Rate = { units: 10, periodSeconds: 1, burst: 5 };
const hourly: Rate = { units: 1, periodSeconds: 3600, burst: 3 };

describe('GCRA in process', () => {
  it('admits the burst at once, then one unit per emission interval', async () => {
    let now = 1_000_000;
    const store = new MemoryRateLimitStore({ now: () => now });
    const charge: BudgetCharge = { policy: 'tenant', key: 'k', rate, cost: 1 };
    const first = [];
    for (let i = 0; i < 7; i += 1) first.push((await store.consume([charge]))[0]);
    assert.deepEqual(
      first.map((state) => state?.allowed),
      [true, true, true, true, true, false, false],
    );
    assert.deepEqual(
      first.map((state) => state?.remaining),
      [4, 3, 2, 1, 0, 0, 0],
    );
    assert.equal(first[5]?.retryAfterSeconds, 1, 'a tenth of a second, rounded up to the whole second the header carries');
    now += 99;
    assert.equal((await store.consume([charge]))[0]?.allowed, false, 'not before the emission interval');
    now += 1;
    assert.equal((await store.consume([charge]))[0]?.allowed, true);
    now += 10_000;
    const full = await store.consume([{ ...charge, cost: 0 }]);
    assert.equal(full[0]?.remaining, 5, 'idle long enough, the budget is full again, never more');
  });

  it('charges every budget or none, and always refuses an operation costing more than the burst', async () => {
    const now = 5_000_000;
    const store = new MemoryRateLimitStore({ now: () => now });
    const wide: BudgetCharge = { policy: 'tenant', key: 'tenant', rate, cost: 1 };
    const narrow: BudgetCharge = { policy: 'payments', key: 'payments', rate: { ...rate, burst: 1 }, cost: 1 };
    assert.deepEqual(
      (await store.consume([wide, narrow])).map((state) => state.allowed),
      [true, true],
    );
    const refused = await store.consume([wide, narrow]);
    assert.deepEqual(
      refused.map((state) => state.allowed),
      [true, false],
    );
    assert.equal(refused[0]?.remaining, 4, 'the tenant budget was not spent by the refused request');
    assert.equal((await store.consume([{ ...wide, cost: 6 }]))[0]?.allowed, false);
  });
});

describe('the fallback while Redis fails', () => {
  it("limits at the replica's share, asks Redis again only after the cool-down, and logs the outage and the recovery once each", async () => {
    let now = 10_000_000;
    let failing = true;
    let asked = 0;
    const primary: RateLimitStore = {
      kind: 'redis-single',
      async consume(charges: readonly BudgetCharge[]): Promise<readonly BudgetState[]> {
        asked += 1;
        if (failing) throw new Error('Connection is closed.');
        return charges.map((charge) => ({
          policy: charge.policy,
          rate: charge.rate,
          allowed: true,
          remaining: 9,
          retryAfterSeconds: 0,
          resetSeconds: 0,
        }));
      },
      close: async () => undefined,
    };
    const lines: Array<{ msg: string }> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { msg: string });
        callback();
      },
    });
    const store = new FallbackRateLimitStore({ primary, replicas: 4, logger: createLogger('gateway', { destination }), now: () => now });
    const charge: BudgetCharge = { policy: 'tenant', key: 'k', rate: { units: 1, periodSeconds: 3600, burst: 10 }, cost: 1 };
    assert.equal(store.breakerState, 'closed');
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push((await store.consume([charge]))[0]?.allowed);
    assert.deepEqual(answers, [true, true, false, false, false], 'a quarter of a burst of 10, rounded down to whole requests');
    assert.equal(asked, 1, 'within the cool-down Redis is not asked again');
    assert.equal(store.degraded, true);
    // As the metrics read it: open during the cool-down, half-open once the next request would probe.
    assert.equal(store.breakerState, 'open');
    now += 1000;
    assert.equal(store.breakerState, 'half-open');
    await store.consume([charge]);
    assert.equal(asked, 2, 'after the cool-down one request probes it');
    assert.equal(store.breakerState, 'open', 'a failed probe opens it again');
    failing = false;
    now += 1000;
    assert.equal((await store.consume([charge]))[0]?.remaining, 9, 'Redis answers again');
    assert.equal(store.degraded, false);
    assert.equal(store.breakerState, 'closed');
    assert.deepEqual(
      lines.map((line) => line.msg),
      [
        'rate limits: Redis unreachable, limiting locally at 1/4 of each budget',
        'rate limits: Redis reachable again, shared budgets restored',
      ],
    );
  });
});

describe('GCRA on a Redis Cluster', () => {
  let harness: RedisClusterHarness;
  let raw: Cluster;
  let store: RedisRateLimitStore;
  const slot = async (key: string): Promise<number> => Number(await raw.call('CLUSTER', 'KEYSLOT', key));

  before(async () => {
    harness = await RedisClusterHarness.start();
    raw = new Cluster(harness.nodes, { redisOptions: { maxRetriesPerRequest: 1 } });
    store = new RedisRateLimitStore({ connection: { mode: 'cluster', nodes: harness.nodes }, commandTimeoutMs: 1000 });
    assert.equal(await store.ready(5000), true);
  });

  after(async () => {
    await store?.close();
    raw?.disconnect();
    await harness?.close();
  });

  it("puts every budget of a principal's request in its tenant's slot, and tenants and addresses in slots of their own", async () => {
    const acme = [
      budgetKeys.tenant('acme'),
      budgetKeys.client('acme', 'web'),
      budgetKeys.payments('acme', 'staff-1'),
      budgetKeys.creditReports('acme', 'staff-1'),
    ];
    const slots = new Set(await Promise.all(acme.map(slot)));
    assert.equal(slots.size, 1, 'one slot for the four budgets one script charges');
    assert.equal(new Set(acme.map(hashTagOf)).size, 1);
    const tenants = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];
    assert.ok(new Set(await Promise.all(tenants.map((tenant) => slot(budgetKeys.tenant(tenant))))).size > 1, 'tenants spread over slots');
    assert.notEqual(await slot(budgetKeys.ip('127.0.0.1')), await slot(budgetKeys.ip('10.0.0.1')));
    for (const key of [...acme, budgetKeys.ip('::1')])
      assert.doesNotMatch(key, /web|staff-1|::1/, 'no client, subject or address in clear');
  });

  it('charges all of them in one script without a CROSSSLOT error, all or nothing, as the in-process reference does', async () => {
    const charges: BudgetCharge[] = [
      { policy: 'tenant', key: budgetKeys.tenant('globex'), rate: hourly, cost: 1 },
      { policy: 'client', key: budgetKeys.client('globex', 'web'), rate: hourly, cost: 1 },
      { policy: 'payments', key: budgetKeys.payments('globex', 'u'), rate: { ...hourly, burst: 2 }, cost: 1 },
    ];
    const reference = new MemoryRateLimitStore();
    for (let i = 0; i < 3; i += 1) {
      const [fromRedis, fromMemory] = await Promise.all([store.consume(charges), reference.consume(charges)]);
      assert.deepEqual(
        fromRedis.map((state) => [state.allowed, state.remaining, state.retryAfterSeconds]),
        fromMemory.map((state) => [state.allowed, state.remaining, state.retryAfterSeconds]),
      );
    }
    const after = await store.consume(charges.map((charge) => ({ ...charge, cost: 0 })));
    assert.deepEqual(
      after.map((state) => state.remaining),
      [1, 1, 0],
      'the third request, refused by payments, spent neither the tenant nor the client budget',
    );
    await assert.rejects(
      store.consume([charges[0] as BudgetCharge, { ...(charges[0] as BudgetCharge), key: budgetKeys.tenant('acme') }]),
      /hash tags/,
    );
  });
});
