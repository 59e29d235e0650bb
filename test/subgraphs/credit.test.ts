// The credit subgraph alone, as the gateway calls it: a customer's score by reference, as the bureau reports it, and a
// consent refused to staff (only the customer may give one).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../support/bankTruth.js';
import { firstDirectoryCustomer, principalOf, type SubgraphAlone, startSubgraphAlone } from '../support/subgraphAlone.js';

describe('credit subgraph, alone', () => {
  let alone: SubgraphAlone<'credit'>;
  let customerId: string;
  before(async () => {
    alone = await startSubgraphAlone('credit');
    customerId = await firstDirectoryCustomer(alone, 'acme');
  });
  after(async () => {
    await alone.close();
  });

  it('resolves a customer reference to the score the bureau reports for them', async () => {
    const response = await alone.query(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { creditScore { score } } } }',
      { principal: principalOf('risk', 'acme'), variables: { r: [{ __typename: 'Customer', id: customerId }] } },
    );
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const bureau = (await alone.upstream('/bureau/consumerservices/credit-profile/v2/credit-report', credentials.acme?.bureau as string, {
      consumerPii: { primaryApplicant: { customerReference: customerId } },
      permissiblePurpose: { type: '08' },
      inquiryType: 'SOFT',
      addOns: { riskModels: { modelIndicator: ['F9'] } },
    })) as { creditProfile: Array<{ riskModel: Array<{ score: string }> }> };
    assert.deepEqual(response.body.data?._entities, [{ creditScore: { score: Number(bureau.creditProfile[0]?.riskModel[0]?.score) } }]);
  });

  it('refuses a consent given by staff: CUSTOMER_ONLY', async () => {
    const refused = await alone.query('mutation { grantCreditConsent(input: { purpose: WRITTEN_INSTRUCTION }) { purpose } }', {
      principal: principalOf('admin', 'acme', { amr: ['pwd', 'otp'] }),
    });
    assert.equal(refused.body.data?.grantCreditConsent ?? null, null);
    assert.equal(refused.body.errors?.[0]?.extensions?.reason, 'CUSTOMER_ONLY');
  });
});
