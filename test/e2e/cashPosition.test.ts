// CashPosition.graphql through the gateway: totals equal an independent computation from the banks' own API answers,
// to the cent; tenants see their own figures; a bank that is down or slow gives a partial, flagged position.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertEvery } from '../support/assertions.js';
import { credentials, ecbRates, expectedCash, formatIn, organisationHoldings } from '../support/bankTruth.js';
import { contractOperation } from '../support/contract.js';
import { type Stack, startStack } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

interface Money {
  amount: string;
  currency: string;
}
interface CashPosition {
  asOf: string;
  total: Money;
  complete: boolean;
  byInstitution: Array<{
    institution: { id: string; name: string };
    total: Money | null;
    accountCount: number | null;
    status: string;
    asOf: string | null;
  }>;
  byCurrency: Array<{ currency: string; native: Money; converted: Money; rate: string }>;
}

const query = contractOperation('CashPosition');

describe('cash position', () => {
  let stack: Stack;
  before(async () => {
    // One test asks for 30-odd aliased accounts at once to prove the bank batches them: over the default shape limits
    // (test/e2e/edgeLimits.test.ts), raised here so that batching is what it measures.
    stack = await startStack({ env: { BANK_TIMEOUT_MS: '800', GATEWAY_MAX_ALIASES: '50', GATEWAY_MAX_ROOT_FIELDS: '50' } });
  });
  after(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
  });

  async function cashPosition(tenant: string, currency: string) {
    const response = await stack.graphql(query, { token: tokenFor({ role: 'cfo', tenant }), variables: { currency } });
    return { response, position: response.body.data?.cashPosition as CashPosition };
  }

  for (const [tenant, currency] of [
    ['acme', 'USD'],
    ['acme', 'JPY'],
    ['globex', 'GBP'],
  ] as const) {
    it(`equals the banks' own figures for ${tenant} in ${currency}, to the minor unit`, async () => {
      const { response, position } = await cashPosition(tenant, currency);
      assert.equal(response.status, 200);
      assert.equal(response.body.errors, undefined);
      const expected = expectedCash(await organisationHoldings(stack, tenant), await ecbRates(stack), currency);
      assert.equal(position.complete, true);
      assert.deepEqual(position.total, { amount: expected.total, currency });
      assert.equal(position.byCurrency.length, expected.byCurrency.size);
      assert.equal(position.byCurrency[0]?.currency, currency, 'the reporting currency comes first');
      assert.equal(position.byCurrency[0]?.rate, '1');
      for (const entry of position.byCurrency) {
        const want = expected.byCurrency.get(entry.currency);
        assert.ok(want, entry.currency);
        assert.deepEqual(entry.native, { amount: want.native, currency: entry.currency });
        assert.deepEqual(entry.converted, { amount: want.converted, currency });
        assert.equal(entry.rate, want.rate);
      }
      assert.equal(position.byInstitution.length, expected.byInstitution.size);
      for (const entry of position.byInstitution) {
        const want = expected.byInstitution.get(entry.institution.id);
        assert.ok(want, entry.institution.id);
        assert.equal(entry.status, 'OK');
        assert.deepEqual(entry.total, { amount: want.total, currency });
        assert.equal(entry.accountCount, want.accountCount);
        assert.ok(entry.asOf && !Number.isNaN(Date.parse(entry.asOf)));
      }
      // Amounts carry exactly the reporting currency's decimals.
      assert.match(position.total.amount, currency === 'JPY' ? /^-?\d+$/ : /^-?\d+\.\d{2}$/);
    });
  }

  it('shows each tenant only its own organisation', async () => {
    const acme = await cashPosition('acme', 'USD');
    const globex = await cashPosition('globex', 'USD');
    assert.notEqual(acme.position.total.amount, globex.position.total.amount);
    const acmeNatives = JSON.stringify(acme.position.byCurrency.map((entry) => entry.native));
    const globexNatives = JSON.stringify(globex.position.byCurrency.map((entry) => entry.native));
    assert.notEqual(acmeNatives, globexNatives);
  });

  it('sums the banks that answer when one is down, and says which one failed', async () => {
    await stack.control('/providers/albion', { down: true });
    const { response, position } = await cashPosition('acme', 'USD');
    assert.equal(position.complete, false);
    const index = position.byInstitution.findIndex((entry) => entry.institution.id === 'albion');
    const albion = position.byInstitution[index];
    assert.equal(albion?.status, 'UNAVAILABLE');
    assert.equal(albion?.total, null);
    const error = response.body.errors?.find((entry) => entry.extensions?.code === 'UPSTREAM_UNAVAILABLE');
    assert.ok(error, JSON.stringify(response.body.errors));
    assert.deepEqual(error.path, ['cashPosition', 'byInstitution', index, 'total']);
    for (const entry of position.byInstitution.filter((other) => other.institution.id !== 'albion')) assert.equal(entry.status, 'OK');

    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
    const holdings = (await organisationHoldings(stack, 'acme')).filter((entry) => entry.institutionId !== 'albion');
    assert.ok(holdings.length > 0);
    assert.equal(position.total.amount, expectedCash(holdings, await ecbRates(stack), 'USD').total);
    // Nothing about the upstream leaks into the error.
    assert.doesNotMatch(JSON.stringify(response.body.errors), /127\.0\.0\.1|http:|stack|ECONN/i);
  });

  it('gives up on a slow bank at its deadline and reports UPSTREAM_TIMEOUT for it alone', async () => {
    await stack.control('/providers/lakeside', { latencyMs: 3000 });
    const { response, position } = await cashPosition('acme', 'EUR');
    assert.equal(position.complete, false);
    const index = position.byInstitution.findIndex((entry) => entry.institution.id === 'lakeside');
    assert.equal(position.byInstitution[index]?.status, 'TIMEOUT');
    const error = response.body.errors?.find((entry) => entry.extensions?.code === 'UPSTREAM_TIMEOUT');
    assert.deepEqual(error?.path, ['cashPosition', 'byInstitution', index, 'total']);
    await stack.control('/providers/lakeside', { latencyMs: 0 });
    const holdings = (await organisationHoldings(stack, 'acme')).filter((entry) => entry.institutionId !== 'lakeside');
    assert.equal(position.total.amount, expectedCash(holdings, await ecbRates(stack), 'EUR').total);
  });

  it('still sums what it can when the FX publisher is down, converting nothing it cannot', async () => {
    await stack.control('/providers/ecb', { down: true });
    const { response, position } = await cashPosition('acme', 'USD');
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
    assert.equal(position.complete, false);
    const foreign = position.byCurrency.filter((entry) => entry.currency !== 'USD');
    assert.ok(foreign.length > 0);
    for (const entry of foreign) {
      assert.equal(entry.converted, null);
      assert.equal(entry.rate, null);
      assert.match(entry.native.amount, /^-?\d+(\.\d+)?$/, 'native sums are still served');
    }
    const usd = position.byCurrency.find((entry) => entry.currency === 'USD');
    assert.deepEqual(position.total, usd?.converted, 'the total is what could be converted');
    const paths = (response.body.errors ?? [])
      .filter((error) => error.extensions?.code === 'UPSTREAM_UNAVAILABLE')
      .map((error) => error.path?.join('.'));
    for (const entry of foreign) assert.ok(paths.includes(`cashPosition.byCurrency.${position.byCurrency.indexOf(entry)}.converted`));
    assertEvery(
      position.byInstitution,
      (entry) => entry.status === 'OK' && entry.total === null,
      'every bank holds a foreign currency, so no bank total is claimed',
    );
  });

  it('reads each bank in the fewest calls its API allows', async () => {
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
    await cashPosition('acme', 'USD');
    const calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
    const holdings = await organisationHoldings(stack, 'acme');
    const org = (await stack.upstream('/directory/v1/organisation', credentials.acme?.directory as string)) as {
      bank_links: Array<{ institution_id: string }>;
    };
    for (const bank of ['northwind', 'albion']) {
      const consents = org.bank_links.filter((link) => link.institution_id === bank).length;
      assert.ok(consents >= 1);
      assert.equal(calls[bank]?.['GET /accounts'], consents, `${bank}: one accounts call per consent`);
      assert.equal(calls[bank]?.['GET /balances'], consents, `${bank}: one bulk balances call per consent, for all its accounts`);
    }
    assert.equal(
      org.bank_links.filter((link) => link.institution_id === 'albion').length,
      2,
      'the seed has two consents at Albion, and both are summed',
    );
    for (const bank of ['lakeside', 'pacific']) {
      const count = holdings.filter((entry) => entry.institutionId === bank).length;
      assert.equal(calls[bank]?.['GET /customers/{bank_customer_id}/accounts'], 1, `${bank} accounts`);
      assert.equal(calls[bank]?.['GET /balances'], Math.ceil(count / 25), `${bank}: ${count} accounts, 25 ids a call`);
    }
    assert.equal(calls.ecb?.['GET /eurofxref-daily.xml'], 1);
  });

  it('loads 30+ accounts at one bank with one accounts call and ceil(n/25) balances calls, whoever asks for them', async () => {
    const drill = `{ cashPosition(reportingCurrency: "USD") { byInstitution { institution { id } accounts { id currency balance { current { amount currency } } } } } }`;
    const token = tokenFor({ role: 'cfo', tenant: 'acme' });
    const first = await stack.graphql(drill, { token });
    const lakeside = (
      first.body.data?.cashPosition as {
        byInstitution: Array<{ institution: { id: string }; accounts: Array<{ id: string; balance: { current: Money } }> }>;
      }
    ).byInstitution.find((entry) => entry.institution.id === 'lakeside');
    assert.ok(lakeside && lakeside.accounts.length >= 30, `${lakeside?.accounts.length} accounts at lakeside`);
    const truth = (await organisationHoldings(stack, 'acme')).filter((entry) => entry.institutionId === 'lakeside');
    assert.deepEqual(
      lakeside.accounts.map((account) => account.balance.current.amount).sort(),
      truth.map((entry) => formatIn(entry.booked, entry.currency)).sort(),
    );

    // The same accounts asked for one by one, thirty-odd aliases in one request: still one list and ceil(n/25) balances.
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
    const aliased = `query { ${lakeside.accounts.map((account, index) => `a${index}: account(id: "${account.id}") { id balance { current { amount } } }`).join(' ')} }`;
    const response = await stack.graphql(aliased, { token });
    assert.equal(response.body.errors, undefined);
    assert.equal(Object.keys(response.body.data ?? {}).length, lakeside.accounts.length);
    const calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
    assert.equal(calls.lakeside?.['GET /customers/{bank_customer_id}/accounts'], 1);
    assert.equal(calls.lakeside?.['GET /balances'], Math.ceil(lakeside.accounts.length / 25));
    assert.equal(calls.directory?.['GET /organisation'], 1);
  });

  it('refuses a bad reporting currency with BAD_USER_INPUT, and the organisation’s cash to a customer', async () => {
    const bad = await stack.graphql(query, { token: tokenFor({ role: 'cfo', tenant: 'acme' }), variables: { currency: 'XYZ' } });
    assert.equal(bad.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const customers = await stack.graphql('{ customers(first: 1) { edges { node { id } } } }', {
      token: tokenFor({ role: 'support', tenant: 'acme' }),
    });
    const customerId = (customers.body.data?.customers as { edges: Array<{ node: { id: string } }> }).edges[0]?.node.id as string;
    // Without treasury:read the field is refused at the gateway.
    const asCustomer = await stack.graphql(query, {
      token: tokenFor({ role: 'customer', tenant: 'acme', customerId }),
      variables: { currency: 'USD' },
    });
    assert.deepEqual(asCustomer.body.data, { cashPosition: null });
    assert.equal(asCustomer.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    // Even a customer token that somehow carries the scope reads no organisation's rows.
    const scoped = await stack.graphql(query, {
      token: tokenFor({ role: 'customer', tenant: 'acme', customerId, scopes: ['treasury:read'] }),
      variables: { currency: 'USD' },
    });
    assert.deepEqual(scoped.body.data, { cashPosition: null });
    assert.equal(scoped.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });
});
