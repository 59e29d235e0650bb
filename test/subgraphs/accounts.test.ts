// The accounts subgraph alone, as the gateway calls it: its SDL, a customer's accounts through `_entities`, the cash
// position for the treasury scope and a refusal without it, each checked against the banks' own answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials, customerHoldings, ecbRates, expectedCash, type Link, organisationHoldings } from '../support/bankTruth.js';
import { principalOf, type SubgraphAlone, startSubgraphAlone } from '../support/subgraphAlone.js';

interface DirectoryCustomer {
  id: string;
  bank_links: Link[];
}

describe('accounts subgraph, alone', () => {
  let alone: SubgraphAlone<'accounts'>;
  before(async () => {
    alone = await startSubgraphAlone('accounts');
  });
  after(async () => {
    await alone.close();
  });

  it('answers only with an internal token, and publishes its SDL to the gateway', async () => {
    assert.equal((await alone.query('{ _service { sdl } }')).status, 401);
    const sdl = (await alone.query('{ _service { sdl } }', { principal: principalOf('support', 'acme') })).body.data?._service as {
      sdl: string;
    };
    assert.match(sdl.sdl, /type Account\b[^{]*@key\(fields: "id"\)/);
    assert.match(sdl.sdl, /cashPosition\(reportingCurrency: CurrencyCode!\)/);
  });

  it("resolves a customer reference to the accounts the banks hold for them, under the gateway's representation", async () => {
    const page = (await alone.upstream('/directory/v1/customers?limit=100', credentials.acme?.directory as string)) as {
      data: DirectoryCustomer[];
    };
    const customer = page.data.find(
      (entry) => entry.bank_links.length > 0 && entry.bank_links.every((link) => link.type === 'core_banking'),
    );
    assert.ok(customer, 'a customer banking with the core banks only');
    const response = await alone.query(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id accounts { id currency balance { current { amount currency } } } } } }',
      { principal: principalOf('support', 'acme'), variables: { r: [{ __typename: 'Customer', id: customer.id }] } },
    );
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const [entity] = response.body.data?._entities as Array<{
      id: string;
      accounts: Array<{ balance: { current: { amount: string; currency: string } } }>;
    }>;
    assert.equal(entity?.id, customer.id);
    const truth = await customerHoldings(alone, 'acme', customer.bank_links);
    assert.ok(truth.length > 0, 'the banks hold accounts for this customer');
    assert.deepEqual(
      entity?.accounts.map((account) => `${account.balance.current.currency} ${account.balance.current.amount}`).sort(),
      truth.map((holding) => `${holding.currency} ${holding.booked.toFixed(holding.currency === 'JPY' ? 0 : 2)}`).sort(),
    );
  });

  it('serves the cash position for treasury:read, as the banks and the ECB add it up, and refuses it without', async () => {
    const query = '{ cashPosition(reportingCurrency: "USD") { complete total { amount currency } } }';
    const served = await alone.query(query, { principal: principalOf('cfo', 'acme') });
    assert.equal(served.body.errors, undefined, JSON.stringify(served.body.errors));
    const expected = expectedCash(await organisationHoldings(alone, 'acme'), await ecbRates(alone), 'USD');
    assert.deepEqual(served.body.data?.cashPosition, { complete: true, total: { amount: expected.total, currency: 'USD' } });

    const refused = await alone.query(query, { principal: principalOf('support', 'acme') });
    assert.deepEqual(refused.body.data, { cashPosition: null });
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(refused.body.errors?.[0]?.extensions?.reason, 'MISSING_SCOPE');
    assert.ok(alone.logs.some((line) => line.msg === 'field refused by subgraph' && line.coordinate === 'Query.cashPosition'));
  });
});
