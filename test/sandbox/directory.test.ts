// The customer directory: tenant isolation by API key, Stripe-like paging and batch lookup, and the organisation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import { allCustomers, type Customer, type CustomerList, call, type Organisation, type StripeError } from './helpers.js';

describe('directory', () => {
  let sandbox: Sandbox;
  let base = '';
  let acme: Customer[] = [];
  let globex: Customer[] = [];

  before(async () => {
    sandbox = await createSandbox({ port: 0, anchorDate: '2026-11-24', latency: 'none' });
    base = `${sandbox.url}/directory/v1`;
    acme = await allCustomers(sandbox.url, credentials.acme.directory);
    globex = await allCustomers(sandbox.url, credentials.globex.directory);
  });
  after(() => sandbox.close());

  it('seeds about 250 acme and 200 globex customers with unique cus_<16 hex> ids across tenants', () => {
    assert.ok(acme.length >= 240 && acme.length <= 260, `acme has ${acme.length}`);
    assert.ok(globex.length >= 190 && globex.length <= 210, `globex has ${globex.length}`);
    const ids = [...acme, ...globex].map((customer) => customer.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^cus_[0-9a-f]{16}$/);
    assert.deepEqual(
      acme.map((c) => c.id),
      [...acme.map((c) => c.id)].sort(),
      'lists are ordered by id',
    );
  });

  it('gives every customer 1–4 accounts worth of bank links, each well formed', () => {
    for (const customer of acme) {
      assert.ok(customer.bank_links.length >= 1 && customer.bank_links.length <= 4, customer.id);
      for (const link of customer.bank_links) {
        if (link.type === 'open_banking') {
          assert.ok(['northwind', 'albion'].includes(link.institution_id));
          assert.ok(!Number.isNaN(Date.parse(link.consent_expires_at)));
          assert.ok(link.access_token.length >= 32);
        } else {
          assert.ok(['lakeside', 'pacific'].includes(link.institution_id));
          assert.ok(link.bank_customer_id.length > 0);
        }
      }
    }
  });

  it('does not let an acme key read a globex customer (404 resource_missing)', async () => {
    const foreign = globex[0];
    assert.ok(foreign);
    const asAcme = await call<StripeError>(`${base}/customers/${foreign.id}`, { token: credentials.acme.directory });
    assert.equal(asAcme.status, 404);
    assert.equal(asAcme.body.error.type, 'invalid_request_error');
    assert.equal(asAcme.body.error.code, 'resource_missing');
    const asGlobex = await call<Customer>(`${base}/customers/${foreign.id}`, { token: credentials.globex.directory });
    assert.equal(asGlobex.status, 200);
    assert.equal(asGlobex.body.id, foreign.id);
  });

  it('returns only the caller tenant’s customers from ids=, in the order asked', async () => {
    const [a1, a2] = [acme[5], acme[2]];
    const g = globex[0];
    assert.ok(a1 && a2 && g);
    const result = await call<CustomerList>(`${base}/customers?ids=${a1.id},${g.id},${a2.id},cus_0000000000000000`, {
      token: credentials.acme.directory,
    });
    assert.equal(result.status, 200);
    assert.deepEqual(
      result.body.data.map((c) => c.id),
      [a1.id, a2.id],
    );
    assert.equal(result.body.has_more, false);
    const tooMany = Array.from({ length: 101 }, (_, i) => `cus_${i.toString(16).padStart(16, '0')}`).join(',');
    assert.equal((await call(`${base}/customers?ids=${tooMany}`, { token: credentials.acme.directory })).status, 400);
  });

  it('pages with limit and starting_after without gaps or overlaps', async () => {
    const page1 = await call<CustomerList>(`${base}/customers?limit=7`, { token: credentials.acme.directory });
    assert.equal(page1.body.object, 'list');
    assert.equal(page1.body.url, '/v1/customers');
    assert.equal(page1.body.has_more, true);
    const last = page1.body.data.at(-1);
    assert.ok(last);
    const page2 = await call<CustomerList>(`${base}/customers?limit=7&starting_after=${last.id}`, { token: credentials.acme.directory });
    assert.deepEqual(
      [...page1.body.data, ...page2.body.data].map((c) => c.id),
      acme.slice(0, 14).map((c) => c.id),
    );
    const defaults = await call<CustomerList>(`${base}/customers`, { token: credentials.acme.directory });
    assert.equal(defaults.body.data.length, 10);
    for (const limit of ['0', '101', 'ten']) {
      assert.equal((await call(`${base}/customers?limit=${limit}`, { token: credentials.acme.directory })).status, 400, limit);
    }
  });

  it('rejects a missing or unknown key with 401 authentication_error', async () => {
    const missing = await call<StripeError>(`${base}/customers`);
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.type, 'authentication_error');
    const wrongProvider = await call<StripeError>(`${base}/customers`, { token: credentials.acme.lakeside });
    assert.equal(wrongProvider.status, 401);
  });

  it('returns each tenant’s own organisation with a link to every bank', async () => {
    const org = await call<Organisation>(`${base}/organisation`, { token: credentials.globex.directory });
    assert.equal(org.status, 200);
    assert.equal(org.body.id, 'org_globex');
    assert.equal(org.body.name, 'Globex Corporation');
    assert.deepEqual([...new Set(org.body.bank_links.map((l) => l.institution_id))].sort(), ['albion', 'lakeside', 'northwind', 'pacific']);
    assert.equal(org.body.bank_links.filter((l) => l.institution_id === 'albion').length, 2, 'two consents at Albion');
    const acmeOrg = await call<Organisation>(`${base}/organisation`, { token: credentials.acme.directory });
    assert.equal(acmeOrg.body.id, 'org_acme');
  });
});
