// Rate limits through the gateway over HTTP, on the real Redis harness (issue 14): one budget per tenant, per client
// and per IP, stricter per-principal budgets for initiatePayment and creditReport, the RateLimit header fields, and
// the local fallback when Redis dies. Rates refill one unit an hour, so nothing refills while a test runs: every
// count below is exact, whatever the machine's speed. (Two gateway processes sharing one budget over a refill are in
// rateLimitsProcesses.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ask,
  burst,
  type InProcessGateway,
  limitToken,
  parseRateLimit,
  parseRateLimitPolicy,
  rateLimitGatewayEnv,
  startRateLimitGateway,
} from '../support/rateLimitGateway.js';
import { RedisHarness } from '../support/redis.js';

// Tenant: 10 units at once, one more an hour; each client half of it; gold plan twice that; the wide plan, for the
// payments and bureau tests, more than their operations' cost estimates (a payment is priced 10 units and more, a
// bureau pull 50), so that only their own budgets refuse them; metered, to see an operation charged its estimate.
// IPs 3, payments and bureau pulls 2 per principal.
const limits = {
  RATE_LIMIT_PLANS: 'default=1/3600:10,gold=1/3600:20,wide=1/3600:1000000,metered=1/3600:1000',
  RATE_LIMIT_CLIENT_SHARE: '0.5',
  RATE_LIMIT_IP: '1/3600:3',
  RATE_LIMIT_PAYMENTS: '1/3600:2',
  RATE_LIMIT_CREDIT_REPORTS: '1/3600:2',
};

const typename = '{ __typename }';
const payment = (aliases: number) =>
  `mutation ($input: InitiatePaymentInput!) { ${Array.from({ length: aliases }, (_, i) => `p${i}: initiatePayment(input: $input) { payment { id } }`).join(' ')} }`;
const paymentInput = {
  input: {
    idempotencyKey: 'rate-limit-test-1',
    sourceAccountId: 'acct_x',
    amount: { amount: '1.00', currency: 'USD' },
    rail: 'ACH',
    counterparty: { name: 'Landlord LLC', accountNumber: '123456789', routingNumber: '021000021' },
  },
};
const oneReport = '{ customer(id: "c1") { creditReport(purpose: CREDIT_TRANSACTION, inquiry: SOFT) { score } } }';
const pageOfReports = '{ customers(first: 3) { edges { node { creditReport(purpose: CREDIT_TRANSACTION, inquiry: SOFT) { score } } } } }';

describe('rate limits through the gateway, on Redis', () => {
  let redis: RedisHarness;
  let gateway: InProcessGateway;

  before(async () => {
    redis = await RedisHarness.start();
    gateway = await startRateLimitGateway(rateLimitGatewayEnv(redis.url, limits));
  });

  after(async () => {
    await gateway?.server.close();
    await redis?.close();
  });

  it('keeps each client to its share, and a tenant that spent its budget leaves another tenant untouched', async () => {
    const token = (tenant: string, azp: string) => limitToken({ tenant, sub: `staff-${azp}`, azp });
    const first = await burst(8, () => ask(gateway.url, typename, { token: token('tenant-a', 'web') }));
    assert.deepEqual(first, { admitted: 5, refused: 3 }, "one client: half the tenant's 10");
    const second = await burst(8, () => ask(gateway.url, typename, { token: token('tenant-a', 'batch') }));
    assert.deepEqual(second, { admitted: 5, refused: 3 }, 'another client of the same tenant has its own half');
    const third = await ask(gateway.url, typename, { token: token('tenant-a', 'mobile') });
    assert.equal(third.status, 429, 'a third client finds the tenant budget spent');
    assert.deepEqual(third.codes, ['RATE_LIMITED']);
    const other = await burst(8, () => ask(gateway.url, typename, { token: token('tenant-b', 'web') }));
    assert.deepEqual(other, { admitted: 5, refused: 3 }, "tenant B's budget is its own, whatever A spent");
  });

  it('names the client by azp, else client_id, else sub, and reads the plan claim', async () => {
    const byClientId = await burst(8, (i) =>
      ask(gateway.url, typename, { token: limitToken({ tenant: 'tenant-c', sub: `u${i}`, clientId: 'svc' }) }),
    );
    assert.deepEqual(byClientId, { admitted: 5, refused: 3 }, 'eight subjects of one client_id share one client budget');
    const bySub = await burst(4, (i) => ask(gateway.url, typename, { token: limitToken({ tenant: 'tenant-d', sub: `user-${i}` }) }));
    assert.deepEqual(bySub, { admitted: 4, refused: 0 }, 'without azp or client_id each subject is its own client');
    const gold = await burst(12, () =>
      ask(gateway.url, typename, { token: limitToken({ tenant: 'tenant-e', sub: 'u', azp: 'web', plan: 'gold' }) }),
    );
    assert.deepEqual(gold, { admitted: 10, refused: 2 }, "the gold plan's client half is 10");
    const unknownPlan = await burst(8, () =>
      ask(gateway.url, typename, { token: limitToken({ tenant: 'tenant-f', sub: 'u', azp: 'web', plan: 'platinum' }) }),
    );
    assert.deepEqual(unknownPlan, { admitted: 5, refused: 3 }, 'a plan not configured is the default plan');
  });

  it('charges requests without a valid token to their IP, and refuses them with 429 once it is spent', async () => {
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await ask(gateway.url, typename, { authorization: 'Bearer bm90.YS10b2tlbg.c2ln' }));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [401, 401, 401, 429, 429],
    );
    assert.deepEqual(answers[3]?.codes, ['RATE_LIMITED']);
    assert.ok(Number(answers[3]?.headers.get('retry-after')) >= 1);
    assert.deepEqual(parseRateLimitPolicy(answers[0]?.headers.get('ratelimit-policy') ?? null).get('ip'), { q: 3, w: 10_800 });
    assert.deepEqual(
      answers.map((answer) => parseRateLimit(answer.headers.get('ratelimit')).get('ip')?.r),
      [2, 1, 0, 0, 0],
    );
    const valid = await ask(gateway.url, typename, { token: limitToken({ tenant: 'tenant-g', sub: 'u' }) });
    assert.equal(valid.status, 200, "a valid token from the same address is charged to its tenant, not the address's spent budget");
  });

  it('holds initiatePayment to its own per-principal budget, counting every aliased field', async () => {
    const token = limitToken({ tenant: 'tenant-p', sub: 'payer', azp: 'web', plan: 'wide' });
    const two = await ask(gateway.url, payment(2), { token, variables: paymentInput });
    assert.notEqual(two.status, 429, 'two payments fit a budget of two');
    assert.equal(parseRateLimit(two.headers.get('ratelimit')).get('payments')?.r, 0);
    const third = await ask(gateway.url, payment(1), { token, variables: paymentInput });
    assert.equal(third.status, 429);
    assert.deepEqual(third.codes, ['RATE_LIMITED']);
    assert.ok(Number(third.headers.get('retry-after')) > 0);
    const read = await ask(gateway.url, typename, { token });
    assert.equal(read.status, 200, 'the same principal still reads: only money movement is spent');
    const other = await ask(gateway.url, payment(1), {
      token: limitToken({ tenant: 'tenant-p', sub: 'other-payer', azp: 'web', plan: 'wide' }),
      variables: paymentInput,
    });
    assert.notEqual(other.status, 429, "another principal's payments budget is its own");
  });

  it('holds creditReport to its own budget, times the page sizes above it', async () => {
    const token = limitToken({ tenant: 'tenant-r', sub: 'analyst', azp: 'web', plan: 'wide' });
    const page = await ask(gateway.url, pageOfReports, { token });
    // Three pulls can never fit a budget of two: refused as too complex for it, not a 429 to retry.
    assert.equal(page.status, 400, 'customers(first: 3) with a report each is three pulls, over a budget of two');
    assert.deepEqual(page.codes, ['QUERY_TOO_COMPLEX']);
    assert.equal((await ask(gateway.url, oneReport, { token })).status, 200);
    assert.equal((await ask(gateway.url, oneReport, { token })).status, 200);
    const third = await ask(gateway.url, oneReport, { token });
    assert.equal(third.status, 429);
    assert.deepEqual(third.codes, ['RATE_LIMITED']);
  });

  it("charges the tenant and the client the operation's demand-control estimate, and at least one unit", async () => {
    const token = limitToken({ tenant: 'tenant-m', sub: 'u', azp: 'web', plan: 'metered' });
    // The gateway prices the operation and says so when asked; the budgets must have gone down by that much.
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ institutions { id name } }', extensions: { cost: true } }),
    });
    const body = (await response.json()) as { extensions?: { cost?: { estimated?: number } } };
    const estimated = body.extensions?.cost?.estimated ?? 0;
    assert.ok(estimated > 1, `a list of institutions is priced above one unit (${estimated})`);
    const first = parseRateLimit(response.headers.get('ratelimit'));
    assert.equal(first.get('tenant')?.r, 1000 - estimated);
    assert.equal(first.get('client')?.r, 500 - estimated);
    // Priced at nothing, still one unit.
    const free = await ask(gateway.url, typename, { token });
    assert.equal(parseRateLimit(free.headers.get('ratelimit')).get('client')?.r, 500 - estimated - 1);
  });

  it('sends RateLimit-Policy and RateLimit on every answer, counting down consistently', async () => {
    const token = limitToken({ tenant: 'tenant-h', sub: 'u', azp: 'web' });
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await ask(gateway.url, typename, { token }));
    for (const answer of answers) {
      const policy = parseRateLimitPolicy(answer.headers.get('ratelimit-policy'));
      // 10 units refilled at one an hour: 36,000 s to refill; the client's half, 5 at half the rate: the same window.
      assert.deepEqual(policy.get('tenant'), { q: 10, w: 36_000 });
      assert.deepEqual(policy.get('client'), { q: 5, w: 36_000 });
    }
    const remaining = answers.map((answer) => parseRateLimit(answer.headers.get('ratelimit')));
    assert.deepEqual(
      remaining.map((items) => items.get('tenant')?.r),
      [9, 8, 7, 6, 5, 5],
    );
    assert.deepEqual(
      remaining.map((items) => items.get('client')?.r),
      [4, 3, 2, 1, 0, 0],
    );
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 200, 200, 200, 200, 429],
    );
    const refused = answers[5];
    assert.ok(refused);
    // The client's next unit comes after one emission interval at half the tenant's rate: two hours.
    assert.equal(refused.headers.get('retry-after'), '7200');
    const invalid = await ask(gateway.url, '{ __typename', { token });
    assert.equal(invalid.status, 400);
    assert.equal(
      parseRateLimit(invalid.headers.get('ratelimit')).get('client')?.r,
      0,
      'a document that does not parse is told its budget, not charged',
    );
  });
});

describe('rate limits while Redis is unreachable', () => {
  let redis: RedisHarness;
  let gateway: InProcessGateway;
  // The fallback limiter runs on this clock; it stays still unless a test moves it, so nothing refills locally either.
  let now = 1_800_000_000_000;

  before(async () => {
    redis = await RedisHarness.start();
    gateway = await startRateLimitGateway(
      rateLimitGatewayEnv(redis.url, { ...limits, RATE_LIMIT_CLIENT_SHARE: '1', GATEWAY_REPLICAS: '2' }),
      () => now,
    );
  });

  after(async () => {
    await gateway?.server.close();
    await redis?.close();
  });

  it("falls back to this replica's share of the budget, never to unlimited, and says so once", async () => {
    const token = limitToken({ tenant: 'tenant-x', sub: 'u', azp: 'web' });
    assert.equal((await ask(gateway.url, typename, { token })).status, 200, 'Redis answers first');
    await redis.stop();
    const during = await burst(12, () => ask(gateway.url, typename, { token }));
    // Half of the 10-unit budget for one of two replicas, the local limiter knowing nothing of what Redis had counted.
    assert.deepEqual(during, { admitted: 5, refused: 7 });
    const outage = gateway.logs.filter((line) => String(line.msg).startsWith('rate limits: Redis unreachable'));
    assert.equal(outage.length, 1, 'one line per outage, not one per request');
    assert.match(String(outage[0]?.msg), /limiting locally at 1\/2 of each budget/);
    const more = await ask(gateway.url, typename, { token: limitToken({ tenant: 'tenant-y', sub: 'u', azp: 'web' }) });
    assert.equal(parseRateLimitPolicy(more.headers.get('ratelimit-policy')).get('tenant')?.q, 5, 'the headers tell the share');
  });

  it('goes back to the shared budgets when Redis answers again, and says so once', async () => {
    await redis.restart();
    const token = limitToken({ tenant: 'tenant-z', sub: 'u', azp: 'web' });
    // The client reconnects by itself, on real time; each attempt moves the limiter's clock past its 1 s cool-down,
    // so the next request asks Redis again. The loop ends on the log line, not on a duration.
    const recovered = () => gateway.logs.some((line) => String(line.msg).startsWith('rate limits: Redis reachable again'));
    for (let attempt = 0; attempt < 100 && !recovered(); attempt += 1) {
      now += 1001;
      await ask(gateway.url, typename, { token });
      if (!recovered()) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(recovered(), 'the recovery is logged');
    const answer = await ask(gateway.url, typename, { token });
    assert.equal(parseRateLimitPolicy(answer.headers.get('ratelimit-policy')).get('tenant')?.q, 10, 'the whole budget again, from Redis');
    assert.equal(gateway.logs.filter((line) => String(line.msg).startsWith('rate limits: Redis unreachable')).length, 1);
    assert.equal(gateway.logs.filter((line) => String(line.msg).startsWith('rate limits: Redis reachable again')).length, 1);
  });
});

describe('rate limits for requests with no bearer token at all', () => {
  let gateway: InProcessGateway;
  before(async () => {
    // No Redis: the in-process limiter, on this gateway's own address budget of two.
    gateway = await startRateLimitGateway(rateLimitGatewayEnv(undefined, { RATE_LIMIT_IP: '1/3600:2' }));
  });
  after(async () => {
    await gateway?.server.close();
  });

  it('charges them to their address before the body is read, and answers 429 once that budget is spent', async () => {
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await ask(gateway.url, typename));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [401, 401, 429],
    );
    assert.deepEqual(
      answers.map((answer) => parseRateLimit(answer.headers.get('ratelimit')).get('ip')?.r),
      [1, 0, 0],
    );
    assert.deepEqual(answers[2]?.codes, ['RATE_LIMITED']);
    assert.ok(Number(answers[2]?.headers.get('retry-after')) > 0);
  });
});

describe('rate limits for refusals before a principal, operations over a burst, and operations refused for cost', () => {
  let gateway: InProcessGateway;
  before(async () => {
    // No Redis: the in-process limiter. An address budget of two; a cost maximum of 5 for the cost case.
    gateway = await startRateLimitGateway(
      rateLimitGatewayEnv(undefined, {
        RATE_LIMIT_IP: '1/3600:2',
        RATE_LIMIT_PLANS: 'default=1/3600:6,wide=1/3600:1000000',
        COST_MAX_PER_OPERATION: '5',
      }),
    );
  });
  after(async () => {
    await gateway?.server.close();
  });

  it('charges a forged token with a document the edge refuses to its address, like any other request without a valid token', async () => {
    const aliasFlood = `{ ${Array.from({ length: 20 }, (_, index) => `a${index}: __typename`).join(' ')} }`;
    const forged = 'Bearer a.b.c';
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await ask(gateway.url, aliasFlood, { authorization: forged }));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [400, 400, 429],
    );
    assert.deepEqual(answers[2]?.codes, ['RATE_LIMITED']);
  });

  it('refuses an operation costing more than its budget can ever hold as too complex, not as a 429 to retry', async () => {
    // `institutions { id name }` is priced above the client's burst of 3 (half of 6) and under no cost maximum below it.
    const token = limitToken({ tenant: 'tenant-x', sub: 'u', azp: 'web' });
    const answer = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ institutions { id } }' }),
    });
    const body = (await answer.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get('retry-after'), null);
    const extensions = body.errors?.[0]?.extensions;
    assert.equal(extensions?.code, 'QUERY_TOO_COMPLEX');
    assert.ok(['rateBurst', 'cost'].includes(String(extensions?.limit)), JSON.stringify(extensions));
  });

  it('charges nothing for an operation the cost limit refuses', async () => {
    const token = limitToken({ tenant: 'tenant-y', sub: 'u', azp: 'web', plan: 'wide' });
    const refused = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ institutions { id name } }' }),
    });
    const body = (await refused.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
    assert.equal(body.errors?.[0]?.extensions?.limit, 'cost');
    assert.equal(refused.headers.get('retry-after'), null);
    const after = await ask(gateway.url, typename, { token });
    assert.equal(parseRateLimit(after.headers.get('ratelimit')).get('tenant')?.r, 1_000_000 - 1, 'only the one-unit read was charged');
  });
});
