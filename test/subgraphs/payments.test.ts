// The payments subgraph alone, as the gateway calls it: a customer's (empty) payment list by reference, an unknown
// payment, and the step-up a payment needs, refused again here without any provider call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstDirectoryCustomer, principalOf, type SubgraphAlone, startSubgraphAlone } from '../support/subgraphAlone.js';

describe('payments subgraph, alone', () => {
  let alone: SubgraphAlone<'payments'>;
  let customerId: string;
  before(async () => {
    alone = await startSubgraphAlone('payments');
    customerId = await firstDirectoryCustomer(alone, 'acme');
  });
  after(async () => {
    await alone.close();
  });

  const providerCalls = async () => {
    const response = await fetch(`${alone.sandbox.url}/_control/calls`);
    const calls = (await response.json()) as Record<string, Record<string, number>>;
    return Object.entries(calls)
      .filter(([provider]) => provider === 'processor' || provider === 'transfers')
      .flatMap(([, counts]) => Object.values(counts))
      .reduce((sum, count) => sum + count, 0);
  };

  it("lists a customer's payments by the gateway's reference (none yet), and knows no unknown payment", async () => {
    const principal = principalOf('customer', 'acme', { customerId });
    const listed = await alone.query(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { payments(first: 5) { edges { node { id } } } } } }',
      { principal, variables: { r: [{ __typename: 'Customer', id: customerId }] } },
    );
    assert.equal(listed.body.errors, undefined, JSON.stringify(listed.body.errors));
    assert.deepEqual(listed.body.data?._entities, [{ payments: { edges: [] } }]);
    const unknown = await alone.query('{ payment(id: "pay_000000000000000000000000") { id } }', { principal });
    assert.equal(unknown.body.data?.payment ?? null, null);
  });

  it('refuses a payment without a second factor (STEP_UP_REQUIRED), asking no provider', async () => {
    const before = await providerCalls();
    const refused = await alone.query('mutation ($input: InitiatePaymentInput!) { initiatePayment(input: $input) { payment { id } } }', {
      principal: principalOf('customer', 'acme', { customerId, amr: ['pwd'] }),
      variables: {
        input: {
          idempotencyKey: 'alone-step-up-1',
          sourceAccountId: 'acc_x',
          amount: { amount: '1.00', currency: 'USD' },
          rail: 'CARD',
          counterparty: { name: 'Shop' },
        },
      },
    });
    assert.equal(refused.body.data?.initiatePayment ?? null, null);
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(refused.body.errors?.[0]?.extensions?.reason, 'STEP_UP_REQUIRED');
    assert.equal(await providerCalls(), before);
  });
});
