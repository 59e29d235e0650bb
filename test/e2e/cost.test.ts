// Demand control through the gateway over HTTP: every contract operation is accepted with its estimate under the
// maximum and its actual cost measured, both in `extensions.cost` when asked and on the request's log line; 50
// customers' transactions are refused with QUERY_TOO_COMPLEX before any subgraph or upstream is called; every slicing
// argument has a maximum its subgraph enforces; a token's plan selects its maximum.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_MAX_COST } from '../../gateway/plugins/cost/index.js';
import { prepareSupergraph } from '../../gateway/supergraph.js';
import { SUPERGRAPH_PATH } from '../../schema/compose.js';
import { credentials } from '../support/bankTruth.js';
import { contractOperation, contractOperationNames, contractRequests } from '../support/contract.js';
import { type Stack, startStack } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

interface CostExtension {
  estimated: number;
  max: number;
  actual?: number;
}

interface Answer {
  status: number;
  requestId: string | null;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    extensions?: { cost?: CostExtension };
  };
}

interface DirectoryCustomer {
  id: string;
  bank_links: Array<{ type: string }>;
}

const FIFTY_BY_HUNDRED = `{ customers(first: 50) { edges { node { id accounts { id transactions(first: 100) {
  edges { node { id amount { amount currency } direction bookedAt } } } } } } } }`;

describe('demand control', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { COST_PLAN_MAXIMA: 'starter=300' } });
  });
  after(async () => {
    await stack.close();
  });

  /** A POST to the gateway; `askCost` adds the request extension that asks for `extensions.cost`. */
  async function send(query: string, token: string, variables: Record<string, unknown> = {}, askCost = true): Promise<Answer> {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables, ...(askCost ? { extensions: { cost: true } } : {}) }),
    });
    return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as Answer['body'] };
  }

  const gatewayLine = (requestId: string | null) =>
    stack.logs.find((line) => line.service === 'gateway' && line.msg === 'request' && line.requestId === requestId);

  async function customerAtCoreBanks(): Promise<DirectoryCustomer> {
    const directory = (await stack.upstream('/directory/v1/customers?limit=100', credentials.acme?.directory as string)) as {
      data: DirectoryCustomer[];
    };
    const customer = directory.data.find(
      (entry) => entry.bank_links.length > 0 && entry.bank_links.every((link) => link.type === 'core_banking'),
    );
    assert.ok(customer, 'the sandbox seeds a customer banking only at core banks');
    return customer;
  }

  it('accepts every contract operation under the maximum, with its estimate and actual cost in extensions.cost and the log', async () => {
    const customer = await customerAtCoreBanks();
    const admin = tokenFor({ role: 'admin', tenant: 'acme' });
    const listed = await send('query ($id: ID!) { customer(id: $id) { accounts { id currency } } }', admin, { id: customer.id });
    const usd = (listed.body.data?.customer as { accounts: Array<{ id: string; currency: string }> }).accounts.find(
      (account) => account.currency === 'USD',
    );
    assert.ok(usd, 'the customer holds a USD account');
    // Every operation of the contract, so one added there is priced here too (or this fails until it is).
    const requests = contractRequests({ id: customer.id, usdAccountId: usd.id, idempotencyKey: 'cost-e2e-payment-1' });
    assert.deepEqual(Object.keys(requests).sort(), contractOperationNames());
    // Customers at the largest page, the most it can cost.
    const driven = Object.fromEntries(
      Object.entries(requests).map(([name, request]) => [
        name,
        () => send(request.query, request.token, name === 'Customers' ? { first: 100 } : request.variables),
      ]),
    ) as Record<string, () => Promise<Answer>>;
    const answers: Array<[string, Answer]> = [];
    for (const [name, drive] of Object.entries(driven)) answers.push([name, await drive()]);
    // One more request, so every line above has been written before the log is read.
    await send('{ __typename }', admin, {}, false);
    for (const [name, answer] of answers) {
      assert.equal(answer.status, 200, name);
      assert.equal(answer.body.errors, undefined, `${name}: ${JSON.stringify(answer.body.errors)}`);
      const cost = answer.body.extensions?.cost;
      assert.ok(cost, `${name} carries extensions.cost`);
      assert.equal(cost.max, DEFAULT_MAX_COST, name);
      assert.ok(cost.estimated > 0 && cost.estimated * 5 <= cost.max, `${name}: estimated ${cost.estimated}`);
      assert.equal(typeof cost.actual, 'number', name);
      assert.ok(
        (cost.actual as number) > 0 && (cost.actual as number) <= cost.estimated,
        `${name}: actual ${cost.actual} of ${cost.estimated}`,
      );
      assert.deepEqual(gatewayLine(answer.requestId)?.cost, { estimated: cost.estimated, actual: cost.actual }, `${name}'s log line`);
    }
    // The assumed sizes hold on the sandbox's data: no list came back longer than the estimate allowed for.
    assert.deepEqual(
      stack.logs.filter((line) => line.msg === 'list longer than its assumed size'),
      [],
    );
  });

  it('leaves extensions.cost out unless asked, and charges nothing for fields authorisation removed', async () => {
    const customer = await customerAtCoreBanks();
    const admin = await send(
      contractOperation('CustomerOverview'),
      tokenFor({ role: 'admin', tenant: 'acme' }),
      { id: customer.id },
      false,
    );
    assert.equal(admin.body.extensions?.cost, undefined);
    const adminCost = await send(contractOperation('CustomerOverview'), tokenFor({ role: 'admin', tenant: 'acme' }), { id: customer.id });
    // Support may not read creditScore: it is never fetched, so its bureau weight (20) and its range (1) are not charged.
    const support = await send(contractOperation('CustomerOverview'), tokenFor({ role: 'support', tenant: 'acme' }), { id: customer.id });
    assert.deepEqual(
      support.body.errors?.map((error) => error.extensions?.code),
      ['FORBIDDEN'],
    );
    assert.equal(support.body.extensions?.cost?.estimated, (adminCost.body.extensions?.cost?.estimated as number) - 21);
  });

  it('refuses transactions(first: 100) on every account of 50 customers with QUERY_TOO_COMPLEX, calling nothing', async () => {
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
    const token = tokenFor({ role: 'admin', tenant: 'acme' });
    // A smaller page of the same shape is served.
    const small = await send(FIFTY_BY_HUNDRED.replace('first: 100', 'first: 3').replace('first: 50', 'first: 5'), token);
    assert.equal(small.body.errors, undefined, JSON.stringify(small.body.errors));
    await send('{ __typename }', token, {}, false);
    const subgraphLines = () => stack.logs.filter((line) => line.msg === 'request' && line.service !== 'gateway').length;
    const linesBefore = subgraphLines();
    const callsBefore = await stack.control('/calls');
    const refused = await send(FIFTY_BY_HUNDRED, token);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.data ?? null, null);
    assert.equal(refused.body.errors?.length, 1);
    const extensions = refused.body.errors?.[0]?.extensions ?? {};
    assert.equal(extensions.code, 'QUERY_TOO_COMPLEX');
    assert.equal(extensions.limit, 'cost');
    assert.equal(extensions.max, DEFAULT_MAX_COST);
    assert.ok((extensions.actual as number) > 10 * DEFAULT_MAX_COST, `estimated ${String(extensions.actual)}`);
    assert.deepEqual(refused.body.extensions?.cost, { estimated: extensions.actual, max: DEFAULT_MAX_COST });
    await send('{ __typename }', token, {}, false);
    assert.equal(subgraphLines(), linesBefore, 'no subgraph was asked');
    assert.deepEqual(await stack.control('/calls'), callsBefore, 'no upstream was called');
    assert.deepEqual(gatewayLine(refused.requestId)?.cost, { estimated: extensions.actual });
    assert.equal(gatewayLine(refused.requestId)?.status, 400);
  });

  it('holds every slicing argument to a maximum its subgraph enforces: first 100 is served, 101 refused', async () => {
    const customer = await customerAtCoreBanks();
    const token = tokenFor({ role: 'admin', tenant: 'acme' });
    const listed = await send('query ($id: ID!) { customer(id: $id) { accounts { id } } }', token, { id: customer.id }, false);
    const account = (listed.body.data?.customer as { accounts: Array<{ id: string }> }).accounts[0];
    assert.ok(account, 'the customer holds an account');
    // One query per list sized by a slicing argument; a list added to the schema fails here until its maximum is shown.
    const slicedLists: Record<string, { query: (first: number) => string; variables: Record<string, unknown> }> = {
      'Query.customers': { query: (first) => `{ customers(first: ${first}) { edges { node { id } } } }`, variables: {} },
      'Account.transactions': {
        query: (first) => `query ($id: ID!) { account(id: $id) { transactions(first: ${first}) { edges { node { id } } } } }`,
        variables: { id: account.id },
      },
      'Account.payments': {
        query: (first) => `query ($id: ID!) { account(id: $id) { payments(first: ${first}) { edges { node { id } } } } }`,
        variables: { id: account.id },
      },
      'Customer.payments': {
        query: (first) => `query ($id: ID!) { customer(id: $id) { payments(first: ${first}) { edges { node { id } } } } }`,
        variables: { id: customer.id },
      },
    };
    const declared = [...prepareSupergraph(readFileSync(SUPERGRAPH_PATH, 'utf8')).costRules.listSizes]
      .filter(([, rule]) => rule.slicingArguments.length > 0)
      .map(([coordinate, rule]) => {
        assert.deepEqual(rule.slicingArguments, ['first'], coordinate);
        return coordinate;
      });
    assert.deepEqual(Object.keys(slicedLists).sort(), declared.sort());
    for (const [coordinate, list] of Object.entries(slicedLists)) {
      const served = await send(list.query(100), token, list.variables);
      assert.equal(served.body.errors, undefined, `${coordinate}: ${JSON.stringify(served.body.errors)}`);
      const refused = await send(list.query(101), token, list.variables);
      assert.deepEqual(
        refused.body.errors?.map((error) => [error.extensions?.code, error.extensions?.argument, error.message]),
        [['BAD_USER_INPUT', 'first', 'first must be from 1 to 100']],
        coordinate,
      );
    }
  });

  it('holds a token to its plan’s maximum when COST_PLAN_MAXIMA lists the plan, and to the default otherwise', async () => {
    const customer = await customerAtCoreBanks();
    const overview = contractOperation('CustomerOverview');
    const starter = await send(overview, tokenFor({ role: 'admin', tenant: 'acme', plan: 'starter' }), { id: customer.id });
    assert.equal(starter.status, 400);
    assert.equal(starter.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
    assert.equal(starter.body.errors?.[0]?.extensions?.max, 300);
    const me = await send(
      contractOperation('Me'),
      tokenFor({ role: 'customer', tenant: 'acme', customerId: customer.id, plan: 'starter' }),
    );
    assert.equal(me.body.errors, undefined, 'a smaller operation still fits the plan');
    assert.equal(me.body.extensions?.cost?.max, 300);
    const unlisted = await send(overview, tokenFor({ role: 'admin', tenant: 'acme', plan: 'platinum' }), { id: customer.id });
    assert.equal(unlisted.body.errors, undefined);
    assert.equal(unlisted.body.extensions?.cost?.max, DEFAULT_MAX_COST);
  });
});
