// Field-level authorisation through the gateway: the contract's operations × roles, with what each role sees derived
// from the scopes pinned here for each role and the schema's rules; bypass attempts; no subgraph or upstream call for a
// refused field; plans never cross principals; the subgraph's own enforcement; and the whole-operation switch.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deriveSubgraphKey, signInternalToken } from '../../lib/auth/internalToken.js';
import { type Role, roles } from '../../lib/auth/roles.js';
import { assertEvery } from '../support/assertions.js';
import { credentials } from '../support/bankTruth.js';
import { contractOperation } from '../support/contract.js';
import { type GraphQLResponse, type Stack, startStack } from '../support/stack.js';
import { testKeys, tokenFor } from '../support/tokens.js';

/**
 * What each role may do, written here rather than read from lib/auth/roles.ts: a scope wrongly added to a role (or
 * removed from one) must fail a test, not silently change what the test expects.
 */
const expectedScopes: Readonly<Record<Role, readonly string[]>> = {
  customer: ['profile:read', 'accounts:read', 'transactions:read', 'payments:read', 'payments:write', 'kyc:read', 'credit:read'],
  support: ['profile:read', 'accounts:read', 'transactions:read', 'payments:read', 'kyc:read'],
  cfo: ['treasury:read', 'accounts:read', 'transactions:read', 'payments:read'],
  analyst: ['treasury:read', 'accounts:read'],
  risk: ['profile:read', 'accounts:read', 'transactions:read', 'kyc:read', 'credit:read', 'credit:report'],
  admin: [
    'profile:read',
    'pii:read',
    'accounts:read',
    'transactions:read',
    'payments:read',
    'payments:write',
    'kyc:read',
    'credit:read',
    'credit:report',
    'treasury:read',
  ],
};
const allRoles = Object.keys(expectedScopes) as Role[];
const has = (role: Role, scope: string) => expectedScopes[role].includes(scope);
const PII = 'query ($id: ID!) { customer(id: $id) { id accounts { id accountNumber } } }';
const codes = (response: GraphQLResponse) => (response.body.errors ?? []).map((error) => error.extensions?.code);

describe('authorisation', () => {
  it('issues each role exactly the scopes written above, and no role beyond them', () => {
    assert.deepEqual(Object.keys(roles).sort(), [...allRoles].sort());
    for (const role of allRoles) assert.deepEqual([...roles[role]].sort(), [...expectedScopes[role]].sort(), role);
  });

  let stack: Stack;
  let customerId: string;

  before(async () => {
    // The 20,000-selection walk below needs a document far over the shape limits (test/e2e/edgeLimits.test.ts):
    // raised here so that the authorisation walk's own bound is what refuses it.
    stack = await startStack({
      env: { GATEWAY_MAX_ALIASES: '20000', GATEWAY_MAX_TOKENS: '100000', GATEWAY_MAX_DOCUMENT_BYTES: '1048576' },
    });
    const page = (await stack.upstream('/directory/v1/customers?limit=100', credentials.acme?.directory as string)) as {
      data: Array<{ id: string; bank_links: Array<{ type: string; consent_expires_at?: string }> }>;
    };
    customerId = page.data.find(
      (entry) =>
        entry.bank_links.length > 0 &&
        entry.bank_links.every((link) => link.type !== 'open_banking' || Date.parse(link.consent_expires_at as string) > Date.now()),
    )?.id as string;
  });
  after(async () => {
    await stack.close();
  });

  const tokenOf = (role: Role) => tokenFor({ role, tenant: 'acme', ...(role === 'customer' ? { customerId } : {}) });

  for (const role of allRoles) {
    it(`CashPosition for ${role}: served with treasury:read, else null with FORBIDDEN and no bank called`, async () => {
      await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
      const response = await stack.graphql(contractOperation('CashPosition'), { token: tokenOf(role), variables: { currency: 'USD' } });
      const calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
      const bankCalls = Object.values(calls)
        .flatMap((provider) => Object.values(provider))
        .reduce((a, b) => a + b, 0);
      if (has(role, 'treasury:read') && role !== 'customer') {
        assert.equal((response.body.data?.cashPosition as { complete: boolean }).complete, true);
        assert.deepEqual(codes(response), []);
      } else {
        assert.deepEqual(response.body.data, { cashPosition: null });
        assert.deepEqual(codes(response), ['FORBIDDEN']);
        assert.deepEqual(response.body.errors?.[0]?.path, ['cashPosition']);
        assert.equal(bankCalls, 0, 'a refused field reaches no upstream');
      }
    });

    it(`Customers for ${role}: served with profile:read, else FORBIDDEN`, async () => {
      const response = await stack.graphql(contractOperation('Customers'), { token: tokenOf(role), variables: { first: 5 } });
      if (has(role, 'profile:read')) {
        assert.ok((response.body.data?.customers as { edges: unknown[] }).edges.length > 0);
      } else {
        assert.deepEqual(response.body.data, { customers: null });
        assert.deepEqual(codes(response), ['FORBIDDEN']);
      }
    });

    it(`account numbers for ${role}: the customer with profile:read, accounts with accounts:read, full numbers with pii:read`, async () => {
      const response = await stack.graphql(PII, { token: tokenOf(role), variables: { id: customerId } });
      if (!has(role, 'profile:read')) {
        assert.deepEqual(response.body.data, { customer: null });
        assert.deepEqual(codes(response), ['FORBIDDEN']);
        return;
      }
      const accounts = (response.body.data?.customer as { accounts: Array<{ id: string; accountNumber: string | null }> | null }).accounts;
      if (!has(role, 'accounts:read')) {
        assert.equal(accounts, null);
        assert.deepEqual(
          response.body.errors?.map((error) => error.path),
          [['customer', 'accounts']],
        );
        return;
      }
      assert.ok(accounts && accounts.length > 0);
      if (has(role, 'pii:read')) {
        assertEvery(accounts, (account) => typeof account.accountNumber === 'string' && account.accountNumber.length >= 8);
        assert.deepEqual(codes(response), []);
      } else {
        assertEvery(accounts, (account) => account.accountNumber === null && account.id.startsWith('acc_'));
        assert.deepEqual(
          response.body.errors?.map((error) => error.path),
          accounts.map((_, index) => ['customer', 'accounts', index, 'accountNumber']),
        );
        assertEvery(codes(response), (code) => code === 'FORBIDDEN');
      }
    });
  }

  it('cannot be got around with aliases, fragments, inline fragments or @include', async () => {
    const token = tokenOf('support');
    const attempts = [
      'query ($id: ID!) { customer(id: $id) { accounts { number: accountNumber } } }',
      'query ($id: ID!) { customer(id: $id) { accounts { ...Pii } } } fragment Pii on Account { accountNumber }',
      'query ($id: ID!) { customer(id: $id) { accounts { ... on Account { accountNumber } } } }',
      'query ($id: ID!, $yes: Boolean!) { customer(id: $id) { accounts { accountNumber @include(if: $yes) } } }',
      'query ($id: ID!) { customer(id: $id) { ... on Customer { accounts { ... { ...Deep } } } } } fragment Deep on Account { x: accountNumber }',
    ];
    for (const query of attempts) {
      const response = await stack.graphql(query, { token, variables: { id: customerId, yes: true } });
      const text = JSON.stringify(response.body.data);
      assert.doesNotMatch(text, /\d{8}|GB\d\d[A-Z]{4}/, `account number leaked through: ${query}`);
      assert.ok(codes(response).length > 0 && codes(response).every((code) => code === 'FORBIDDEN'), query);
    }
    const introspection = await stack.graphql('{ __type(name: "Account") { fields { name } } }', { token });
    assert.ok(JSON.stringify(introspection.body.data).includes('accountNumber'), 'the schema is visible; values are not');
  });

  it('judges @include by the value it runs with (defaults too), refuses the filter’s own aliases, and survives fan-out', async () => {
    const token = tokenOf('support');
    const withDefault = await stack.graphql(
      'query ($id: ID!, $show: Boolean = true) { customer(id: $id) { accounts { id accountNumber @include(if: $show) } } }',
      { token, variables: { id: customerId } },
    );
    const accounts = (withDefault.body.data?.customer as { accounts: Array<Record<string, unknown>> }).accounts;
    assert.ok(accounts.length > 0 && accounts.every((account) => account.accountNumber === null), 'a null where the field would have been');
    assert.ok(codes(withDefault).length === accounts.length && codes(withDefault).every((code) => code === 'FORBIDDEN'));
    const reserved = await stack.graphql('query ($id: ID!) { customer(id: $id) { accounts { __fg_placeholder: accountNumber } } }', {
      token,
      variables: { id: customerId },
    });
    assert.deepEqual(codes(reserved), ['BAD_USER_INPUT']);
    const unknownOperation = await stack.graphql('query A { institutions { id } }', { token, headers: {} });
    assert.equal(unknownOperation.status, 200);
    const fragments = Array.from({ length: 30 }, (_, index) =>
      index === 29
        ? `fragment F${index} on Account { id accountNumber }`
        : `fragment F${index} on Account { ...F${index + 1} ...F${index + 1} }`,
    ).join(' ');
    const fanOut = await stack.graphql(`query ($id: ID!) { customer(id: $id) { accounts { ...F0 } } } ${fragments}`, {
      token,
      variables: { id: customerId },
    });
    assert.ok(codes(fanOut).every((code) => code === 'FORBIDDEN') && codes(fanOut).length > 0, 'answered, not stalled');
  });

  it('never serves one principal’s query plan to another for the same query string', async () => {
    const admin = tokenOf('admin');
    const support = tokenOf('support');
    for (const token of [admin, support, admin, support]) {
      const response = await stack.graphql(PII, { token, variables: { id: customerId } });
      const numbers = (response.body.data?.customer as { accounts: Array<{ accountNumber: string | null }> }).accounts.map(
        (account) => account.accountNumber,
      );
      if (token === admin) assertEvery(numbers, (number) => typeof number === 'string', 'admin sees numbers');
      else assertEvery(numbers, (number) => number === null, 'support never does');
    }
    const subgraphLines = stack.logs.filter((line) => line.service === 'accounts' && line.msg === 'request');
    assert.ok(subgraphLines.length > 0);
  });

  it('refused every field at the gateway: the subgraph never had to refuse one in the tests above', () => {
    assert.deepEqual(
      stack.logs.filter((line) => line.msg === 'field refused by subgraph'),
      [],
    );
    assert.ok(stack.logs.some((line) => line.service === 'gateway' && line.msg === 'fields refused'));
  });

  it('is enforced again by the subgraph for a request that reaches it with a valid internal token', async () => {
    const key = deriveSubgraphKey(testKeys.internalSecret, 'accounts');
    const internal = signInternalToken(
      key,
      'accounts',
      { sub: 'svc', tenant: 'acme', customerId: undefined, scopes: ['accounts:read', 'profile:read'], amr: [] },
      'req-direct-0001',
    );
    // Customer's root fields are the identity subgraph's: the accounts subgraph is reached for a customer's accounts
    // the way the gateway reaches it, through _entities.
    const entities =
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { accounts { id accountNumber } } } }';
    const response = await stack.graphql(entities, {
      url: stack.subgraphUrls.accounts,
      headers: { 'x-fingraph-principal': internal },
      variables: { representations: [{ __typename: 'Customer', id: customerId }] },
    });
    const accounts = (response.body.data?._entities as Array<{ accounts: Array<{ accountNumber: string | null }> }>)[0]?.accounts ?? [];
    assert.ok(accounts.length > 0 && accounts.every((account) => account.accountNumber === null));
    assertEvery(codes(response), (code) => code === 'FORBIDDEN');
    const noScopes = signInternalToken(
      key,
      'accounts',
      { sub: 'svc', tenant: 'acme', customerId: undefined, scopes: [], amr: [] },
      'req-direct-0002',
    );
    const cash = await stack.graphql('{ cashPosition(reportingCurrency: "USD") { complete } }', {
      url: stack.subgraphUrls.accounts,
      headers: { 'x-fingraph-principal': noScopes },
    });
    assert.deepEqual(codes(cash), ['FORBIDDEN']);
    const refusedBySubgraph = stack.logs.filter((line) => line.msg === 'field refused by subgraph').map((line) => line.coordinate);
    assert.ok(refusedBySubgraph.includes('Account.accountNumber') && refusedBySubgraph.includes('Query.cashPosition'));
  });

  it('refuses an operation whose authorisation walk passes 20,000 selections with QUERY_TOO_COMPLEX, calling nothing', async () => {
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
    // The walk runs when a field is refused: support may not read the cash position. It counts that field, the
    // institutions and each alias of their id once, so 19,998 aliases walk 20,000 selections and 19,999 walk 20,001.
    const token = tokenOf('support');
    const operation = (count: number) =>
      `{ cash: cashPosition(reportingCurrency: "USD") { complete } institutions { ${Array.from(
        { length: count },
        (_, index) => `a${index}: id`,
      ).join(' ')} } }`;
    const withinLimit = await stack.graphql(operation(19_998), { token });
    assert.deepEqual(codes(withinLimit), ['FORBIDDEN']);
    assert.equal((withinLimit.body.data?.institutions as Array<Record<string, string>>).filter((entry) => entry.a19997).length, 4);
    const requestsBefore = stack.logs.filter((line) => line.msg === 'request' && line.service !== 'gateway').length;
    const callsBefore = (await stack.control('/calls')) as Record<string, Record<string, number>>;
    const response = await stack.graphql(operation(19_999), { token });
    assert.deepEqual(codes(response), ['QUERY_TOO_COMPLEX']);
    assert.equal(response.status, 400);
    assert.equal(response.body.data ?? null, null);
    assert.equal(
      stack.logs.filter((line) => line.msg === 'request' && line.service !== 'gateway').length,
      requestsBefore,
      'no subgraph was asked',
    );
    assert.deepEqual(await stack.control('/calls'), callsBefore, 'no upstream was called');
  });

  it('refuses introspection without a token unless switched on', async () => {
    const response = await stack.graphql('{ __schema { queryType { name } } }');
    assert.equal(response.status, 401);
  });
});

describe('authorisation, whole-operation mode and development introspection', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { AUTHZ_MODE: 'reject', ALLOW_INTROSPECTION: 'true' } });
  });
  after(async () => {
    await stack.close();
  });

  it('refuses the whole operation when any field is refused', async () => {
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
    const response = await stack.graphql('{ institutions { id } cashPosition(reportingCurrency: "USD") { complete } }', {
      token: tokenFor({ role: 'support', tenant: 'acme' }),
    });
    assert.equal(response.body.data ?? null, null);
    assert.deepEqual(codes(response), ['FORBIDDEN']);
    const calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
    assert.equal(
      Object.values(calls)
        .flatMap((provider) => Object.values(provider))
        .reduce((a, b) => a + b, 0),
      0,
    );
    const allowed = await stack.graphql('{ institutions { id } }', { token: tokenFor({ role: 'support', tenant: 'acme' }) });
    assert.equal((allowed.body.data?.institutions as unknown[]).length, 4);
  });

  it('serves schema introspection without a token when switched on, and nothing else', async () => {
    const schema = await stack.graphql('{ __schema { queryType { name } } }');
    assert.equal(schema.status, 200);
    assert.deepEqual(schema.body.data, { __schema: { queryType: { name: 'Query' } } });
    const data = await stack.graphql('{ __typename institutions { id } }');
    assert.equal(data.status, 401);
    const hidden = await stack.graphql('{ ...F } fragment F on Query { institutions { id } }');
    assert.equal(hidden.status, 401);
  });
});
