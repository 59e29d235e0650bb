// The identity subgraph alone, as the gateway calls it: a customer by id and by reference, as the directory holds them,
// within the principal's tenant only, and a refusal without profile:read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../support/bankTruth.js';
import { principalOf, type SubgraphAlone, startSubgraphAlone } from '../support/subgraphAlone.js';

interface DirectoryCustomer {
  id: string;
  display_name: string;
}

describe('identity subgraph, alone', () => {
  let alone: SubgraphAlone<'identity'>;
  let acme: DirectoryCustomer[];
  let globex: DirectoryCustomer[];
  before(async () => {
    alone = await startSubgraphAlone('identity');
    const list = async (tenant: string) =>
      (
        (await alone.upstream('/directory/v1/customers?limit=100', credentials[tenant]?.directory as string)) as {
          data: DirectoryCustomer[];
        }
      ).data;
    acme = await list('acme');
    globex = await list('globex');
    assert.ok(acme.length > 0 && globex.length > 0);
  });
  after(async () => {
    await alone.close();
  });

  it("serves a customer by id and by the gateway's reference, as the directory holds them", async () => {
    const [first, second] = acme as [DirectoryCustomer, DirectoryCustomer];
    const byId = await alone.query('query ($id: ID!) { customer(id: $id) { id displayName } }', {
      principal: principalOf('support', 'acme'),
      variables: { id: first.id },
    });
    assert.deepEqual(byId.body.data?.customer, { id: first.id, displayName: first.display_name });
    const byReference = await alone.query(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id displayName } } }',
      { principal: principalOf('support', 'acme'), variables: { r: [{ __typename: 'Customer', id: second.id }] } },
    );
    assert.deepEqual(byReference.body.data?._entities, [{ id: second.id, displayName: second.display_name }]);
  });

  it("does not know another tenant's customer, and refuses a principal without profile:read", async () => {
    const foreign = await alone.query('query ($id: ID!) { customer(id: $id) { id displayName } }', {
      principal: principalOf('support', 'acme'),
      variables: { id: globex[0]?.id },
    });
    assert.equal(foreign.body.data?.customer ?? null, null);
    assert.equal(foreign.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const refused = await alone.query('query ($id: ID!) { customer(id: $id) { id } }', {
      principal: principalOf('analyst', 'acme'),
      variables: { id: acme[0]?.id },
    });
    assert.equal(refused.body.data?.customer ?? null, null);
    assert.equal(refused.body.errors?.[0]?.extensions?.reason, 'MISSING_SCOPE');
  });
});
