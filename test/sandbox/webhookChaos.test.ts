// The payment providers' webhook rates: a duplicateRate share of events delivered twice and a reorderRate share held
// back until a later event of the same payment has been delivered, set per provider through the control API, small
// by default in a realistic sandbox, zero with latency "none", and restored by a reset.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { call, utcToday } from './helpers.js';

type RailId = 'processor' | 'transfers';
interface Rates {
  duplicates: number;
  hold: boolean;
  duplicateRate: number;
  reorderRate: number;
}
interface Arrival {
  provider: RailId;
  id: string;
}
interface LoggedEvent {
  id: string;
  type: string;
  body: string;
}

describe('payment webhooks: duplicate and reorder rates', () => {
  let sandbox: Sandbox;
  let receiver: Server;
  let arrivals: Arrival[] = [];
  let orgUsd: string;

  const control = <T>(path: string, body?: unknown) =>
    call<T>(`${sandbox.url}/_control${path}`, body === undefined ? {} : { method: 'POST', body });
  const events = async (provider: RailId) => (await control<{ events: LoggedEvent[] }>(`/${provider}/events`)).body.events;
  const arrivalsOf = (provider: RailId) => arrivals.filter((arrival) => arrival.provider === provider).map((arrival) => arrival.id);

  const createIntent = async () => {
    const response = await fetch(`${sandbox.url}/processor/v1/payment_intents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credentials.acme.processor}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ amount: '1250', currency: 'usd', payment_method: `pm_acct_${orgUsd}`, confirm: 'true' }).toString(),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { id: string }).id;
  };
  const createTransfer = async () => {
    const response = await fetch(`${sandbox.url}/transfers/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credentials.acme.transfers}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        _links: { source: { href: `${sandbox.url}/transfers/funding-sources/${orgUsd}` } },
        amount: { value: '12.50', currency: 'USD' },
        processingChannel: { destination: 'ach' },
        destination: { name: 'Payee', accountNumber: '123456789', routingNumber: '021000021' },
      }),
    });
    assert.equal(response.status, 201);
    return (response.headers.get('location') as string).split('/').at(-1) as string;
  };

  before(async () => {
    receiver = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      request.on('end', () => {
        // Both providers put the event id at the top of the body.
        arrivals.push({
          provider: request.url === '/hook/processor' ? 'processor' : 'transfers',
          id: (JSON.parse(text) as { id: string }).id,
        });
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    sandbox = await createSandbox({
      port: 0,
      anchorDate: utcToday(),
      latency: 'none',
      webhookTargets: { processor: `${hook}/processor`, transfers: `${hook}/transfers` },
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
    assert.ok(orgUsd);
  });
  beforeEach(async () => {
    await control('/reset', {});
    await control('/processor/settlement', { settleAfterMs: null });
    await control('/transfers/settlement', { settleAfterMs: null });
    arrivals = [];
  });
  after(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('delivers exactly once by default with latency "none", and refuses rates outside 0..1', async () => {
    for (const provider of ['processor', 'transfers'] as const) {
      const rates = (await control<Rates>(`/${provider}/webhooks`)).body;
      assert.deepEqual(rates, { duplicates: 0, hold: false, duplicateRate: 0, reorderRate: 0 });
      assert.equal((await control(`/${provider}/webhooks`, { duplicateRate: 1.5 })).status, 400);
      assert.equal((await control(`/${provider}/webhooks`, { reorderRate: -0.1 })).status, 400);
    }
    const intent = await createIntent();
    await control(`/processor/payment_intents/${intent}/succeed`, {});
    await sandbox.outbox.idle();
    assert.deepEqual(
      arrivalsOf('processor'),
      (await events('processor')).map((event) => event.id),
    );
  });

  it('delivers every event twice with duplicateRate 1, on both providers', async () => {
    for (const provider of ['processor', 'transfers'] as const) {
      const set = await control<Rates>(`/${provider}/webhooks`, { duplicateRate: 1 });
      assert.equal(set.body.duplicateRate, 1);
    }
    const intent = await createIntent();
    await control(`/processor/payment_intents/${intent}/succeed`, {});
    const transfer = await createTransfer();
    await control(`/transfers/transfers/${transfer}/process`, {});
    await sandbox.outbox.idle();
    const deliveries = (await control<{ deliveries: Array<{ provider: string; eventId: string; delivered: boolean }> }>('/webhooks')).body
      .deliveries;
    for (const provider of ['processor', 'transfers'] as const) {
      const emitted = await events(provider);
      assert.ok(emitted.length >= 2, `${provider} emitted its events`);
      const received = arrivalsOf(provider);
      assert.equal(received.length, emitted.length * 2);
      for (const event of emitted) {
        assert.equal(received.filter((id) => id === event.id).length, 2, `${provider} ${event.type} arrived twice`);
        assert.equal(
          deliveries.filter((entry) => entry.eventId === event.id && entry.delivered).length,
          2,
          `${provider} ${event.type} logged twice`,
        );
      }
    }
  });

  it('lets a later event of the same payment overtake a delayed one with reorderRate 1, on both providers', async () => {
    for (const provider of ['processor', 'transfers'] as const) await control(`/${provider}/webhooks`, { reorderRate: 1 });
    // The processor emits created and processing together; the transfer's created and completed come a call apart.
    const intent = await createIntent();
    const transfer = await createTransfer();
    await control(`/transfers/transfers/${transfer}/process`, {});
    await control(`/processor/payment_intents/${intent}/succeed`, {});
    await sandbox.outbox.idle();
    for (const provider of ['processor', 'transfers'] as const) {
      const emitted = await events(provider);
      const [first, second] = emitted;
      assert.ok(first && second, `${provider} emitted two events or more`);
      const received = arrivalsOf(provider);
      // Nothing lost or repeated; the first event, delayed, arrived after the second, which overtook it.
      assert.deepEqual([...received].sort(), emitted.map((event) => event.id).sort());
      assert.ok(received.indexOf(first.id) > received.indexOf(second.id), `${provider}: ${first.type} arrived after ${second.type}`);
    }
  });

  it("holds a delayed event back only for its own payment: another payment's event does not release it", async () => {
    await control('/transfers/webhooks', { reorderRate: 1 });
    const a = await createTransfer();
    const b = await createTransfer();
    await control(`/transfers/transfers/${a}/process`, {});
    await sandbox.outbox.idle();
    const emitted = await events('transfers');
    const topicOf = (id: string) => {
      const event = emitted.find((entry) => entry.id === id) as LoggedEvent;
      const body = JSON.parse(event.body) as { resourceId: string; topic: string };
      return `${body.resourceId === a ? 'a' : body.resourceId === b ? 'b' : '?'}:${body.topic}`;
    };
    const order = arrivalsOf('transfers').map(topicOf);
    assert.equal(order.length, 3);
    assert.ok(order.indexOf('a:transfer_created') > order.indexOf('a:transfer_completed'), order.join(', '));
  });

  it('restores the defaults on reset', async () => {
    await control('/processor/webhooks', { duplicateRate: 0.5, reorderRate: 0.25, duplicates: 2 });
    await control('/reset', {});
    assert.deepEqual((await control<Rates>('/processor/webhooks')).body, { duplicates: 0, hold: false, duplicateRate: 0, reorderRate: 0 });
  });

  it('duplicates and reorders a small share by default in a realistic sandbox (npm start), and resets to it', async () => {
    const realistic = await createSandbox({ port: 0, anchorDate: utcToday(), latency: 'realistic' });
    try {
      const read = async (provider: RailId) => (await call<Rates>(`${realistic.url}/_control/${provider}/webhooks`)).body;
      for (const provider of ['processor', 'transfers'] as const) {
        const rates = await read(provider);
        assert.ok(rates.duplicateRate > 0 && rates.duplicateRate <= 0.1, `${provider} duplicateRate ${rates.duplicateRate}`);
        assert.ok(rates.reorderRate > 0 && rates.reorderRate <= 0.1, `${provider} reorderRate ${rates.reorderRate}`);
        await call(`${realistic.url}/_control/${provider}/webhooks`, { method: 'POST', body: { duplicateRate: 0, reorderRate: 0 } });
        assert.equal((await read(provider)).duplicateRate, 0);
      }
      await call(`${realistic.url}/_control/reset`, { method: 'POST', body: {} });
      for (const provider of ['processor', 'transfers'] as const) {
        const rates = await read(provider);
        assert.ok(rates.duplicateRate > 0 && rates.reorderRate > 0, `${provider} back to its default rates`);
      }
    } finally {
      await realistic.close();
    }
  });
});
