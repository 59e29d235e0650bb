// Customers.graphql through the gateway: staff page through exactly their own tenant's customers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../support/bankTruth.js';
import { contractOperation } from '../support/contract.js';
import { type Stack, startStack } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

interface Page {
  edges: Array<{ cursor: string; node: { id: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
const query = contractOperation('Customers');

describe('customers', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack.close();
  });

  async function directoryIds(tenant: string): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await stack.upstream(
        `/directory/v1/customers?limit=100${after ? `&starting_after=${after}` : ''}`,
        credentials[tenant]?.directory as string,
      )) as { data: Array<{ id: string }>; has_more: boolean };
      ids.push(...page.data.map((entry) => entry.id));
      if (!page.has_more) return ids;
      after = ids.at(-1);
    }
  }

  async function pageThrough(tenant: string, first: number): Promise<string[]> {
    const token = tokenFor({ role: 'support', tenant });
    const ids: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 1000; page += 1) {
      const response = await stack.graphql(query, { token, variables: { first, after } });
      assert.equal(response.body.errors, undefined);
      const connection = response.body.data?.customers as Page;
      assert.ok(connection.edges.length <= first);
      ids.push(...connection.edges.map((edge) => edge.node.id));
      assert.equal(connection.pageInfo.endCursor, connection.edges.at(-1)?.cursor ?? null);
      if (!connection.pageInfo.hasNextPage) return ids;
      after = connection.pageInfo.endCursor;
    }
    throw new Error('did not finish paging');
  }

  it('lists every customer of the caller’s tenant once, in pages, and nobody else’s', async () => {
    const acme = await pageThrough('acme', 37);
    assert.deepEqual(acme, await directoryIds('acme'));
    assert.ok(acme.length >= 100, `a few hundred customers (${acme.length})`);
    const globex = await pageThrough('globex', 100);
    assert.deepEqual(globex, await directoryIds('globex'));
    assert.equal(acme.filter((id) => globex.includes(id)).length, 0);
  });

  it('shows a customer token only itself', async () => {
    const [first] = await directoryIds('acme');
    const response = await stack.graphql(query, {
      token: tokenFor({ role: 'customer', tenant: 'acme', customerId: first as string }),
      variables: { first: 10 },
    });
    assert.deepEqual(
      (response.body.data?.customers as Page).edges.map((edge) => edge.node.id),
      [first],
    );
  });

  it('refuses a bad cursor or page size with BAD_USER_INPUT', async () => {
    const token = tokenFor({ role: 'support', tenant: 'acme' });
    const cursorFor = (id: string) => Buffer.from(JSON.stringify({ v: 1, k: 'customers', id })).toString('base64url');
    const [ownId] = await directoryIds('acme');
    const [otherTenantsId] = await directoryIds('globex');
    // A well-formed cursor naming one of the caller's own customers pages on: the refusals below are about whose id it is.
    const own = await stack.graphql(query, { token, variables: { first: 1, after: cursorFor(ownId as string) } });
    assert.equal(own.body.errors, undefined);
    for (const variables of [
      { first: 10, after: 'garbage!' },
      { first: 0 },
      { first: 101 },
      { first: 10, after: cursorFor(otherTenantsId as string) },
      { first: 10, after: cursorFor('cus_0000000000000000') },
    ]) {
      const response = await stack.graphql(query, { token, variables });
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(variables));
      assert.equal(response.body.data?.customers ?? null, null, JSON.stringify(variables));
    }
  });
});
