// The processor in Stripe's wire format: form-encoded PaymentIntents, Stripe's error object, Idempotency-Key replay
// (and idempotency_error for other parameters), list pagination, settlement booked on the bank's ledger, cancellation,
// and webhooks signed `t=…,v1=…` that the control API can duplicate or hold back.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { DEV_PROCESSOR_WEBHOOK_SECRET } from '../../sandbox/processor/index.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { call, type StripeError, utcToday } from './helpers.js';

interface Intent {
  id: string;
  object: string;
  amount: number;
  currency: string;
  status: string;
  metadata: Record<string, string>;
  payment_method: string;
}
interface IntentList {
  object: string;
  has_more: boolean;
  data: Intent[];
}

describe('processor (Stripe PaymentIntents)', () => {
  let sandbox: Sandbox;
  let received: Array<{ headers: Record<string, string>; body: string }> = [];
  let receiver: import('node:http').Server;
  let usdAccount: { id: string; balance: number };
  const base = () => `${sandbox.url}/processor/v1`;
  const control = (path: string, body: unknown = {}) => call<unknown>(`${sandbox.url}/_control/processor${path}`, { method: 'POST', body });
  const create = async (form: Record<string, string>, key?: string, token = credentials.acme.processor) => {
    const response = await fetch(`${base()}/payment_intents`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/x-www-form-urlencoded',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Intent & StripeError };
  };
  const form = (amount = '1250') => ({
    amount,
    currency: 'usd',
    payment_method: `pm_acct_${usdAccount.id}`,
    confirm: 'true',
    'metadata[order]': 'o-1',
  });
  const balance = async () =>
    (
      await call<{ data: Array<{ account_id: string; ledger: number }> }>(
        `${sandbox.url}/core/lakeside/v1/balances?account_ids=${usdAccount.id}`,
        { token: credentials.acme.lakeside },
      )
    ).body.data[0]?.ledger as number;

  before(async () => {
    const { createServer } = await import('node:http');
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        received.push({ headers: request.headers as Record<string, string>, body });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as import('node:net').AddressInfo).port;
    sandbox = await createSandbox({
      port: 0,
      anchorDate: utcToday(),
      latency: 'none',
      webhookTargets: { processor: `http://127.0.0.1:${port}/hook` },
    });
    const org = await call<{ bank_links: Array<{ institution_id: string; bank_customer_id?: string }> }>(
      `${sandbox.url}/directory/v1/organisation`,
      { token: credentials.acme.directory },
    );
    const link = org.body.bank_links.find((entry) => entry.institution_id === 'lakeside');
    const accounts = await call<{ data: Array<{ id: string; currency: string }> }>(
      `${sandbox.url}/core/lakeside/v1/customers/${link?.bank_customer_id}/accounts`,
      { token: credentials.acme.lakeside },
    );
    const account = accounts.body.data.find((entry) => entry.currency.toUpperCase() === 'USD');
    assert.ok(account);
    usdAccount = { id: account.id, balance: 0 };
  });
  beforeEach(async () => {
    await call(`${sandbox.url}/_control/reset`, { method: 'POST', body: {} });
    await control('/settlement', { settleAfterMs: null });
    received = [];
  });
  after(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('creates a confirmed intent from a form body, in minor units and lowercase currency', async () => {
    const created = await create(form());
    assert.equal(created.status, 200);
    assert.match(created.body.id, /^pi_/);
    assert.equal(created.body.object, 'payment_intent');
    assert.equal(created.body.amount, 1250);
    assert.equal(created.body.currency, 'usd');
    assert.equal(created.body.status, 'processing');
    assert.deepEqual(created.body.metadata, { order: 'o-1' });
  });

  it("answers with Stripe's error object", async () => {
    const missing = await create({ currency: 'usd' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.type, 'invalid_request_error');
    assert.equal(missing.body.error.code, 'parameter_missing');
    const wrongKey = await create(form(), undefined, 'sk_wrong_key_000000');
    assert.equal(wrongKey.status, 401);
    const foreign = await create(form(), undefined, credentials.globex.processor);
    assert.equal(foreign.body.error.code, 'resource_missing');
  });

  it('replays the first response for an idempotency key and refuses other parameters under it', async () => {
    const first = await create(form(), 'key-1');
    const again = await create(form(), 'key-1');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.id, first.body.id);
    const other = await create(form('1251'), 'key-1');
    assert.equal(other.status, 400);
    assert.equal(other.body.error.type, 'idempotency_error');
    const list = await call<IntentList>(`${base()}/payment_intents`, { token: credentials.acme.processor });
    assert.equal(list.body.data.length, 1);
  });

  it('lists newest first with has_more and starting_after', async () => {
    const ids = [];
    for (let index = 0; index < 3; index += 1) ids.push((await create(form(String(100 + index)))).body.id);
    const page = await call<IntentList>(`${base()}/payment_intents?limit=2`, { token: credentials.acme.processor });
    assert.deepEqual(
      page.body.data.map((intent) => intent.id),
      [ids[2], ids[1]],
    );
    assert.equal(page.body.has_more, true);
    const next = await call<IntentList>(`${base()}/payment_intents?limit=2&starting_after=${ids[1]}`, {
      token: credentials.acme.processor,
    });
    assert.deepEqual(
      next.body.data.map((intent) => intent.id),
      [ids[0]],
    );
    assert.equal(next.body.has_more, false);
  });

  it("settles on command: succeeded, booked on the bank's ledger, with signed webhooks", async () => {
    const before = await balance();
    const created = await create(form('4321'));
    assert.equal((await control(`/payment_intents/${created.body.id}/succeed`)).status, 200);
    assert.equal(await balance(), before - 4321);
    const retrieved = await call<Intent>(`${base()}/payment_intents/${created.body.id}`, { token: credentials.acme.processor });
    assert.equal(retrieved.body.status, 'succeeded');
    await sandbox.outbox.idle();
    const types = received.map((delivery) => (JSON.parse(delivery.body) as { type: string }).type);
    assert.deepEqual(types, ['payment_intent.created', 'payment_intent.processing', 'payment_intent.succeeded']);
    for (const delivery of received) {
      const [t, v1] = delivery.headers['stripe-signature']?.split(',').map((part) => part.split('=')[1]) ?? [];
      assert.equal(v1, createHmac('sha256', DEV_PROCESSOR_WEBHOOK_SECRET).update(`${t}.${delivery.body}`).digest('hex'));
    }
  });

  it('cancels a processing intent, not a succeeded one', async () => {
    const created = await create(form());
    const cancel = (id: string) =>
      call<Intent & StripeError>(`${base()}/payment_intents/${id}/cancel`, {
        method: 'POST',
        token: credentials.acme.processor,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    assert.equal((await cancel(created.body.id)).body.status, 'canceled');
    const settled = await create(form());
    await control(`/payment_intents/${settled.body.id}/succeed`);
    assert.equal((await cancel(settled.body.id)).body.error.code, 'payment_intent_unexpected_state');
  });

  it('duplicates deliveries and holds events for out-of-order release when told', async () => {
    await control('/webhooks', { duplicates: 1 });
    await create(form());
    await sandbox.outbox.idle();
    assert.equal(received.length, 4);
    received = [];
    await control('/webhooks', { duplicates: 0, hold: true });
    const created = await create(form());
    await control(`/payment_intents/${created.body.id}/succeed`);
    await sandbox.outbox.idle();
    assert.equal(received.length, 0);
    await control('/webhooks/release', { order: 'reverse' });
    await sandbox.outbox.idle();
    assert.deepEqual(
      received.map((delivery) => (JSON.parse(delivery.body) as { type: string }).type),
      ['payment_intent.succeeded', 'payment_intent.processing', 'payment_intent.created'],
    );
  });
});
