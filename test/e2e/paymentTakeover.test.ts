// The idempotency lease through the payments API, with a holder that really dies: a payments replica run as its own
// process claims a key, the processor accepts the payment, and the process is killed before it hears back. The next
// request with the key, at another replica, waits for the lease to lapse and finishes the same payment (same id, one
// provider payment). A lapsed payment begun more than 23 hours ago is not taken over: PAYMENT_OUTCOME_UNKNOWN.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { deriveSubgraphKey, signInternalToken } from '../../lib/auth/internalToken.js';
import type { Principal } from '../../lib/auth/principal.js';
import { credentials } from '../support/bankTruth.js';
import { freePort } from '../support/ports.js';
import { RedisHarness } from '../support/redis.js';
import { type ServiceProcess, startService } from '../support/serviceProcess.js';
import { type GraphQLResponse, type Stack, startStack } from '../support/stack.js';
import { testKeys, tokenFor } from '../support/tokens.js';

const INITIATE = 'mutation ($input: InitiatePaymentInput!) { initiatePayment(input: $input) { payment { id status } } }';
// The smallest lease the configuration accepts for this timeout: three provider timeouts and a second.
const TIMING = { PAYMENTS_PROVIDER_TIMEOUT_MS: '1500', PAYMENTS_IDEMPOTENCY_LEASE_MS: '5500' };
const CREATE_ROUTE = 'POST /v1/payment_intents';

describe('payment idempotency lease, across replicas', () => {
  let redis: RedisHarness;
  let client: Redis;
  let stack: Stack;
  let principal: Principal;
  let sourceAccountId: string;
  let holder: ServiceProcess | undefined;
  let holderUrl: string;
  let sequence = 0;

  before(async () => {
    redis = await RedisHarness.start();
    client = new Redis(redis.url, { lazyConnect: true });
    await client.connect();
    stack = await startStack({ redis, env: TIMING });
    await stack.control('/processor/settlement', { settleAfterMs: null });
    // A customer with a USD account: the card rail debits it.
    const page = (await stack.upstream('/directory/v1/customers?limit=100', credentials.acme?.directory as string)) as {
      data: Array<{ id: string }>;
    };
    const support = tokenFor({ role: 'support', tenant: 'acme' });
    for (const entry of page.data) {
      const response = await stack.graphql('query ($id: ID!) { customer(id: $id) { accounts { id currency institution { id } } } }', {
        variables: { id: entry.id },
        token: support,
      });
      const accounts =
        (response.body.data?.customer as { accounts: Array<{ id: string; currency: string; institution: { id: string } }> | null } | null)
          ?.accounts ?? [];
      const usd = accounts.find((account) => account.currency === 'USD' && ['lakeside', 'pacific'].includes(account.institution.id));
      if (usd) {
        principal = {
          sub: entry.id,
          tenant: 'acme',
          customerId: entry.id,
          scopes: ['payments:write', 'payments:read'],
          amr: ['pwd', 'otp'],
        };
        sourceAccountId = usd.id;
        break;
      }
    }
    assert.ok(sourceAccountId, 'a customer with a USD account at a core bank');
  });
  after(async () => {
    await holder?.stop();
    await stack.close();
    client.disconnect();
    await redis.close();
  });

  /** A second payments replica, as its own process, on the stack's Redis and sandbox. */
  async function startHolder(): Promise<void> {
    const port = await freePort();
    holderUrl = `http://127.0.0.1:${port}/graphql`;
    holder = startService('payments', 'subgraphs/payments/index.js', {
      NODE_ENV: 'development',
      ...TIMING,
      REDIS_URL: redis.url,
      CACHE_ENCRYPTION_KEYS: `test-1:${testKeys.cacheKey.toString('base64')}`,
      UPSTREAM_BASE_URL: stack.sandboxUrl,
      PAYMENTS_PORT: String(port),
      PAYMENTS_INTERNAL_KEY: deriveSubgraphKey(testKeys.internalSecret, 'payments').toString('base64'),
    });
    await holder.healthy(`http://127.0.0.1:${port}/healthz`);
  }

  /** The request as the gateway sends it to a payments replica, with the customer's internal token. */
  function initiateAt(url: string, idempotencyKey: string): Promise<GraphQLResponse> {
    const internal = signInternalToken(
      deriveSubgraphKey(testKeys.internalSecret, 'payments'),
      'payments',
      principal,
      `req-takeover-${++sequence}`,
    );
    const input = {
      idempotencyKey,
      sourceAccountId,
      amount: { amount: '12.34', currency: 'USD' },
      rail: 'CARD',
      counterparty: { name: 'Coffee Shop' },
    };
    return stack.graphql(INITIATE, { url, headers: { 'x-fingraph-principal': internal }, variables: { input } });
  }

  const creations = async () => ((await stack.control('/calls')) as Record<string, Record<string, number>>).processor?.[CREATE_ROUTE] ?? 0;

  /** Sends a payment to the holder and kills it, as a crash would, once the processor has accepted the payment. */
  async function holderDiesMidPayment(idempotencyKey: string): Promise<void> {
    await startHolder();
    const before = await creations();
    // The processor makes the payment but holds its answer well past the holder's provider timeout.
    await stack.control('/processor/stall', { count: 1, ms: 3000 });
    const request = initiateAt(holderUrl, idempotencyKey).catch((error: unknown) => error);
    while ((await creations()) === before) await new Promise((resolve) => setTimeout(resolve, 5));
    holder?.child.kill('SIGKILL');
    assert.equal(await holder?.exited(), 'SIGKILL');
    holder = undefined;
    await request;
  }

  /** The idempotency records still pending (claimed, never completed), as the payment store keeps them in Redis. */
  async function pendingRecords(): Promise<string[]> {
    const keys = await client.keys('*:pay:idem:*');
    const states = await Promise.all(keys.map((key) => client.hget(key, 'state')));
    return keys.filter((_, index) => states[index] === 'pending');
  }

  const intentsFor = async (paymentId: string) => {
    const list = (await stack.upstream('/processor/v1/payment_intents?limit=100', credentials.acme?.processor as string)) as {
      data: Array<{ metadata: Record<string, string> }>;
    };
    return list.data.filter((intent) => intent.metadata.fingraph_payment_id === paymentId).length;
  };

  it('finishes a payment whose holder died after the provider accepted it: same payment id, one provider payment', async () => {
    const key = `takeover-${Date.now()}`;
    await holderDiesMidPayment(key);
    const [record] = await pendingRecords();
    assert.ok(record, 'the dead holder left its claim behind');
    const claimedId = await client.hget(record, 'paymentId');
    const before = await creations();

    // Another replica (the stack's own) with the same key waits out the dead holder's lease and takes it over.
    const taken = await initiateAt(stack.subgraphUrls.payments as string, key);
    assert.equal(taken.body.errors, undefined, JSON.stringify(taken.body.errors));
    const payment = (taken.body.data?.initiatePayment as { payment: { id: string; status: string } }).payment;
    assert.equal(payment.id, claimedId, 'the payment id the dead holder claimed');
    assert.equal(payment.status, 'PROCESSING');
    assert.equal(await creations(), before + 1, 'the provider was asked again, with the same key');
    assert.equal(await intentsFor(payment.id), 1, 'and kept one payment');

    // The key now answers with that payment at once, and makes no provider call.
    const again = await initiateAt(stack.subgraphUrls.payments as string, key);
    assert.equal((again.body.data?.initiatePayment as { payment: { id: string } }).payment.id, payment.id);
    assert.equal(await creations(), before + 1);
  });

  it('refuses to take over a lapsed payment begun more than 23 hours ago: PAYMENT_OUTCOME_UNKNOWN, no provider call', async () => {
    const key = `lapsed-${Date.now()}`;
    await holderDiesMidPayment(key);
    const [record] = await pendingRecords();
    assert.ok(record);
    // The claim is dated 23 hours and a minute ago by Redis's own clock, and its lease has lapsed.
    const [seconds] = await client.time();
    const redisNow = Number(seconds) * 1000;
    await client.hset(record, 'createdAt', String(redisNow - 23 * 3_600_000 - 60_000), 'leaseUntil', '0');
    const before = await creations();
    const refused = await initiateAt(stack.subgraphUrls.payments as string, key);
    const error = refused.body.errors?.[0];
    assert.equal(error?.extensions?.code, 'UPSTREAM_UNAVAILABLE', JSON.stringify(refused.body.errors));
    assert.equal(error?.extensions?.reason, 'PAYMENT_OUTCOME_UNKNOWN');
    assert.equal(refused.body.data?.initiatePayment ?? null, null);
    assert.equal(await creations(), before, 'a new creation call could pay twice: none is made');
    // Just inside the window, the same claim is taken over.
    await client.hset(record, 'createdAt', String(redisNow - 23 * 3_600_000 + 60_000));
    const taken = await initiateAt(stack.subgraphUrls.payments as string, key);
    assert.equal(taken.body.errors, undefined, JSON.stringify(taken.body.errors));
    assert.equal((taken.body.data?.initiatePayment as { payment: { id: string } }).payment.id, await client.hget(record, 'paymentId'));
  });

  it('keeps the idempotency record at least 24 hours and a webhook event id at least 7 days', async () => {
    const key = `lifetime-${Date.now()}`;
    const made = await initiateAt(stack.subgraphUrls.payments as string, key);
    assert.equal(made.body.errors, undefined, JSON.stringify(made.body.errors));
    const paymentId = (made.body.data?.initiatePayment as { payment: { id: string } }).payment.id;
    const records = await client.keys('*:pay:idem:*');
    const ours = (
      await Promise.all(records.map(async (record) => ((await client.hget(record, 'paymentId')) === paymentId ? record : undefined)))
    ).find(Boolean);
    assert.ok(ours);
    assert.ok((await client.pttl(ours)) > 24 * 3_600_000 - 60_000, "the record outlives the providers' 24-hour replay");
    // The processor's events for the payment reach the subgraph; each id is remembered for 7 days.
    await stack.sandbox.outbox.idle();
    const events = await client.keys('*{processor:*}:pay:event');
    assert.ok(events.length > 0, "the payment's webhook events were remembered");
    for (const event of events) assert.ok((await client.pttl(event)) > 7 * 24 * 3_600_000 - 60_000, event);
  });
});
