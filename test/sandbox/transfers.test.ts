// The transfer provider in its Dwolla-like wire format: funding sources naming their holder, transfers created with a
// 201 and a Location, decimal string amounts, Idempotency-Key (same Location again; another body is a 409), settlement
// booked on the ledger, cancellation while pending, a creation accepted then answered too late (stall), and webhooks
// signed with an HMAC of the body.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { DEV_TRANSFERS_WEBHOOK_SECRET } from '../../sandbox/transfers/index.js';
import { call, utcToday } from './helpers.js';

interface Transfer {
  id: string;
  status: string;
  amount: { value: string; currency: string };
  _links: Record<string, { href: string }>;
}
interface FundingSource {
  id: string;
  status: string;
  currency: string;
  institutionId: string;
  _links: Record<string, { href: string }>;
}

describe('transfers (Dwolla-like)', () => {
  let sandbox: Sandbox;
  let receiver: Server;
  let received: Array<{ signature: string; body: string }> = [];
  let orgUsd: string;
  let customerAccount: { id: string; owner: string };
  const token = credentials.acme.transfers;
  const control = (path: string, body: unknown = {}) => call<unknown>(`${sandbox.url}/_control/transfers${path}`, { method: 'POST', body });
  const body = (value = '12.50', currency = 'USD', source = orgUsd) => ({
    _links: { source: { href: `${sandbox.url}/transfers/funding-sources/${source}` } },
    amount: { value, currency },
    processingChannel: { destination: 'ach' },
    destination: { name: 'Payee', accountNumber: '123456789', routingNumber: '021000021' },
  });
  const post = (payload: unknown, key?: string) =>
    fetch(`${sandbox.url}/transfers/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(payload),
    });
  const ledger = async () =>
    (
      await call<{ data: Array<{ ledger: number }> }>(`${sandbox.url}/core/lakeside/v1/balances?account_ids=${orgUsd}`, {
        token: credentials.acme.lakeside,
      })
    ).body.data[0]?.ledger as number;

  before(async () => {
    receiver = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      request.on('end', () => {
        received.push({ signature: String(request.headers['x-request-signature-sha-256']), body: text });
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    sandbox = await createSandbox({
      port: 0,
      anchorDate: utcToday(),
      latency: 'none',
      webhookTargets: { transfers: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` },
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
    orgUsd = accounts.body.data.find((entry) => entry.currency.toUpperCase() === 'USD')?.id as string;
    const customers = await call<{ data: Array<{ id: string; bank_links: Array<{ institution_id: string; bank_customer_id?: string }> }> }>(
      `${sandbox.url}/directory/v1/customers?limit=50`,
      { token: credentials.acme.directory },
    );
    const holder = customers.body.data.find((entry) => entry.bank_links.some((l) => l.institution_id === 'lakeside'));
    const holderLink = holder?.bank_links.find((l) => l.institution_id === 'lakeside');
    const own = await call<{ data: Array<{ id: string }> }>(
      `${sandbox.url}/core/lakeside/v1/customers/${holderLink?.bank_customer_id}/accounts`,
      { token: credentials.acme.lakeside },
    );
    customerAccount = { id: own.body.data[0]?.id as string, owner: holder?.id as string };
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

  it('serves funding sources with their holder: a customer, or the platform account for the organisation', async () => {
    const org = await call<FundingSource>(`${sandbox.url}/transfers/funding-sources/${orgUsd}`, { token });
    assert.equal(org.body.status, 'verified');
    assert.equal(org.body.currency, 'USD');
    assert.equal(org.body.institutionId, 'lakeside');
    assert.ok(org.body._links.account && !org.body._links.customer);
    const customer = await call<FundingSource>(`${sandbox.url}/transfers/funding-sources/${customerAccount.id}`, { token });
    assert.ok(customer.body._links.customer?.href.endsWith(`/customers/${customerAccount.owner}`));
    const foreign = await call<{ code: string }>(`${sandbox.url}/transfers/funding-sources/${orgUsd}`, {
      token: credentials.globex.transfers,
    });
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.code, 'NotFound');
  });

  it('creates a transfer with 201 and a Location, in decimal strings, pending', async () => {
    const response = await post(body());
    assert.equal(response.status, 201);
    const location = response.headers.get('location') as string;
    const transfer = await call<Transfer>(location, { token });
    assert.equal(transfer.body.status, 'pending');
    assert.deepEqual(transfer.body.amount, { value: '12.50', currency: 'USD' });
  });

  it('refuses a bad body with a ValidationError naming the path', async () => {
    const response = await post(body('12.505'));
    assert.equal(response.status, 400);
    const error = (await response.json()) as { code: string; _embedded: { errors: Array<{ path: string }> } };
    assert.equal(error.code, 'ValidationError');
    assert.equal(error._embedded.errors[0]?.path, '/amount/value');
  });

  it('answers the same Location for a repeated Idempotency-Key, and 409 for another body under it', async () => {
    const first = await post(body(), 'k-1');
    const again = await post(body(), 'k-1');
    assert.equal(again.headers.get('location'), first.headers.get('location'));
    const other = await post(body('13.00'), 'k-1');
    assert.equal(other.status, 409);
    const count = await call<{ count: number }>(`${sandbox.url}/_control/transfers/transfers`);
    assert.equal(count.body.count, 1);
  });

  it('accepts a transfer and answers too late when stalled; a retry with the key gets the same Location at once', async () => {
    assert.equal((await control('/stall', { count: 'one' })).status, 400);
    assert.equal((await control('/stall', { count: 1, ms: 2000 })).status, 200);
    let answered = false;
    const first = post(body(), 'stalled-key').then((response) => {
      answered = true;
      return response;
    });
    // The transfer exists before its creation call answers.
    for (let polls = 0; (await call<{ count: number }>(`${sandbox.url}/_control/transfers/transfers`)).body.count === 0; polls += 1) {
      assert.ok(polls < 1000, 'the stalled creation was recorded');
      await new Promise((resolve) => setImmediate(resolve));
    }
    const retry = await post(body(), 'stalled-key');
    assert.equal(answered, false, 'the first call is still waiting for its answer');
    assert.equal(retry.status, 201);
    const late = await first;
    assert.equal(late.status, 201);
    assert.equal(late.headers.get('location'), retry.headers.get('location'));
    assert.equal((await call<{ count: number }>(`${sandbox.url}/_control/transfers/transfers`)).body.count, 1);
  });

  it('books a processed transfer on the ledger and signs each webhook with an HMAC of the body', async () => {
    const before = await ledger();
    const location = (await post(body('100.01'))).headers.get('location') as string;
    const id = location.split('/').at(-1) as string;
    assert.equal((await control(`/transfers/${id}/process`)).status, 200);
    assert.equal(await ledger(), before - 10001);
    await sandbox.outbox.idle();
    assert.deepEqual(
      received.map((delivery) => (JSON.parse(delivery.body) as { topic: string }).topic),
      ['transfer_created', 'transfer_completed'],
    );
    for (const delivery of received)
      assert.equal(delivery.signature, createHmac('sha256', DEV_TRANSFERS_WEBHOOK_SECRET).update(delivery.body).digest('hex'));
  });

  it('cancels a pending transfer, not a processed one', async () => {
    const cancel = (location: string) =>
      call<Transfer & { code: string }>(location, { method: 'POST', token, body: { status: 'cancelled' } });
    const pending = (await post(body())).headers.get('location') as string;
    assert.equal((await cancel(pending)).body.status, 'cancelled');
    const processed = (await post(body())).headers.get('location') as string;
    await control(`/transfers/${processed.split('/').at(-1)}/process`);
    assert.equal((await cancel(processed)).status, 400);
  });

  it("serves the payment rails' shared switches: a rotated secret, duplicates, held events, and a reset to defaults", async () => {
    const sign = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');
    const rotated = 'rotated-transfers-secret-for-this-test';
    assert.equal((await control('/webhook-secret', { secret: rotated })).status, 200);
    assert.equal((await control('/webhooks', { duplicates: 1, hold: true })).status, 200);
    await post(body());
    await sandbox.outbox.idle();
    assert.equal(received.length, 0, 'held back');
    assert.deepEqual((await control('/webhooks/release', {})).body, { released: 1 });
    await sandbox.outbox.idle();
    assert.equal(received.length, 2, 'delivered twice');
    for (const delivery of received) assert.equal(delivery.signature, sign(rotated, delivery.body));
    const events = await call<{ events: Array<{ body: string }> }>(`${sandbox.url}/_control/transfers/events`);
    assert.deepEqual(
      events.body.events.map((event) => event.body),
      [received[0]?.body],
    );

    await call(`${sandbox.url}/_control/reset`, { method: 'POST', body: {} });
    received.splice(0);
    await control('/settlement', { settleAfterMs: null });
    await post(body());
    await sandbox.outbox.idle();
    assert.equal(received.length, 1, 'sent at once, once');
    assert.equal(received[0]?.signature, sign(DEV_TRANSFERS_WEBHOOK_SECRET, received[0]?.body ?? ''));
  });
});
