// The gateway's shape limits and request hygiene, attacked over HTTP through the real stack: each limit at its
// boundary (the maximum passes, one more is QUERY_TOO_COMPLEX with HTTP 400, limit/max/actual, and neither a subgraph
// nor an upstream is asked), the abuse cases (alias flood, fragment bomb and cycle, deep introspection, directive
// overloading, batched arrays, a 3 MB body, a mutation over GET, cross-site form posts), field suggestions, and CORS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type GraphQLResponse, type Stack, startStack } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

const ORIGIN = 'https://app.fingraph.test';
const token = () => tokenFor({ role: 'admin', tenant: 'acme' });

/** What reached past the gateway: the sandbox's call counters and the subgraphs' request lines. */
async function traffic(stack: Stack) {
  return {
    calls: await stack.control('/calls'),
    subgraphRequests: stack.logs.filter((line) => line.msg === 'request' && line.service !== 'gateway').length,
  };
}

/** Sends `send`, asserting that nothing past the gateway was asked meanwhile. */
async function withoutUpstream<T>(stack: Stack, send: () => Promise<T>): Promise<T> {
  const before = await traffic(stack);
  const result = await send();
  assert.deepEqual(await traffic(stack), before, 'no subgraph or upstream was asked');
  return result;
}

async function raw(url: string, init: RequestInit & { headers?: Record<string, string> }): Promise<GraphQLResponse> {
  const response = await fetch(url, { ...init, headers: { authorization: `Bearer ${token()}`, ...init.headers } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as GraphQLResponse['body']) : {} };
}

const aliased = (count: number) => `{ ${Array.from({ length: count }, (_, index) => `a${index}: institutions { id }`).join(' ')} }`;
/** `__type(name: "Query")` and `ofType`s down to `name`: `depth` fields deep, answered by the gateway itself. */
const typeChain = (depth: number) => `{ __type(name: "Query") { ${'ofType { '.repeat(depth - 2)}name${' }'.repeat(depth - 2)} } }`;

function assertRefused(response: GraphQLResponse, limit: string, max: number, actual: number) {
  assert.equal(response.status, 400);
  assert.equal(response.body.data ?? null, null);
  assert.deepEqual(
    response.body.errors?.map((error) => error.extensions),
    [{ code: 'QUERY_TOO_COMPLEX', limit, max, actual }],
  );
  assert.doesNotMatch(JSON.stringify(response.body), /institutions|ofType|__type/, 'the refusal names no field of the schema');
}

function assertServed(response: GraphQLResponse) {
  assert.equal(response.status, 200, JSON.stringify(response.body.errors));
  assert.equal(response.body.errors, undefined);
  assert.ok(response.body.data);
}

describe('edge limits at their defaults', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { CORS_ORIGINS: ORIGIN } });
  });
  after(async () => {
    await stack.close();
  });
  const graphql = (query: string, variables?: Record<string, unknown>) =>
    stack.graphql(query, { token: token(), ...(variables ? { variables } : {}) });

  it('depth 10 passes and 11 is refused, counted through fragments, introspection held to the same limit', async () => {
    const served = await graphql(typeChain(10));
    assertServed(served);
    assert.deepEqual(served.body.data, { __type: { ofType: null } });
    await withoutUpstream(stack, async () => {
      assertRefused(await graphql(typeChain(11)), 'depth', 10, 11);
      const throughFragments =
        '{ customer(id: "c") { ...A } } fragment A on Customer { accounts { ... on Account { payments(first: 1) { ...B } } } } ' +
        'fragment B on PaymentConnection { edges { node { sourceAccount { payments(first: 1) { edges { node { amount { amount } } } } } } } }';
      assertRefused(await graphql(throughFragments), 'depth', 10, 11);
    });
  });

  it('deep introspection (20 levels) is refused before anything runs', async () => {
    const deep = `{ __schema { types { fields { type { ${'ofType { '.repeat(15)}name${' }'.repeat(15)} } } } } }`;
    await withoutUpstream(stack, async () => assertRefused(await graphql(deep), 'depth', 10, 20));
  });

  it('15 aliases pass and 16 are refused; an alias flood of 100 institutions is refused', async () => {
    const idAliases = (count: number) => `{ institutions { ${Array.from({ length: count }, (_, index) => `a${index}: id`).join(' ')} } }`;
    assertServed(await graphql(idAliases(15)));
    await withoutUpstream(stack, async () => {
      assertRefused(await graphql(idAliases(16)), 'aliases', 15, 16);
      assertRefused(await graphql(aliased(100)), 'aliases', 15, 100);
      const logged = stack.logs.find((line) => line.msg === 'request refused at the edge' && line.actual === 100);
      assert.deepEqual([logged?.code, logged?.limit, logged?.max], ['QUERY_TOO_COMPLEX', 'aliases', 15], 'the log says which limit');
    });
  });

  it('10 root fields pass and 11 are refused, each use of a fragment counted', async () => {
    const served = await graphql(aliased(10));
    assertServed(served);
    assert.equal(Object.keys(served.body.data ?? {}).length, 10);
    await withoutUpstream(stack, async () => {
      assertRefused(await graphql(aliased(11)), 'rootFields', 10, 11);
      const spread =
        '{ ...F ...F ...F ...F } fragment F on Query { institutions { id } customers(first: 1) { edges { cursor } } __typename }';
      assertRefused(await graphql(spread), 'rootFields', 10, 12);
    });
  });

  it('a fragment bomb is refused by its expansion, and a fragment cycle by validation, quickly and calling nothing', async () => {
    const fragments = Array.from({ length: 30 }, (_, index) =>
      index === 29
        ? `fragment F${index} on Query { institutions { id } }`
        : `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`,
    ).join(' ');
    await withoutUpstream(stack, async () => {
      assertRefused(await graphql(`{ ...F0 } ${fragments}`), 'rootFields', 10, 2 ** 29);
      const cycle = await graphql(
        '{ ...A } fragment A on Query { institutions { ...B } } fragment B on Institution { id ...C } fragment C on Institution { ...B }',
      );
      assert.equal(cycle.status, 400);
      assert.deepEqual([...new Set(cycle.body.errors?.map((error) => error.extensions?.code))], ['GRAPHQL_VALIDATION_FAILED']);
    });
  });

  it('directives: 50 on one field reach validation, 51 are refused, and an overload of 400 never parses further', async () => {
    assertServed(await graphql('query ($yes: Boolean = true) { institutions { id @include(if: $yes) @skip(if: false) } }'));
    const directives = (count: number) => `{ institutions { id ${'@include(if: true) '.repeat(count)}} }`;
    await withoutUpstream(stack, async () => {
      // No valid operation here holds more than two (@include and @skip, neither repeatable): validation refuses 50.
      const fifty = await graphql(directives(50));
      assert.equal(fifty.status, 400);
      assert.ok(fifty.body.errors?.every((error) => error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED'));
      assertRefused(await graphql(directives(51)), 'directivesPerField', 50, 51);
      assertRefused(await graphql(`{ __typename ${'@a '.repeat(400)}}`), 'directivesPerField', 50, 400);
    });
  });

  it('1,000 tokens pass and 1,001 are refused; 16,384 bytes pass and 16,385 are refused', async () => {
    // `{ institutions { id … } }` is 5 tokens and one per repeated `id` (the repeats merge into one field).
    const ids = (count: number) => `{ institutions { ${'id '.repeat(count)}} }`;
    assertServed(await graphql(ids(995)));
    const padded = (bytes: number) => {
      const query = '{ institutions { id } }\n#';
      return query + 'x'.repeat(bytes - query.length);
    };
    assertServed(await graphql(padded(16_384)));
    await withoutUpstream(stack, async () => {
      assertRefused(await graphql(ids(996)), 'tokens', 1000, 1001);
      assertRefused(await graphql(padded(16_385)), 'documentBytes', 16_384, 16_385);
    });
  });

  it('refuses a batched array by default, and a 3 MB body with 413', async () => {
    await withoutUpstream(stack, async () => {
      const batch = await raw(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ query: '{ institutions { id } }' }, { query: '{ __typename }' }]),
      });
      assert.equal(batch.status, 400);
      assert.deepEqual(batch.body.errors?.[0]?.extensions, { code: 'BAD_USER_INPUT', reason: 'BATCHING_DISABLED' });
      const big = await raw(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ institutions { id } }', variables: { pad: 'x'.repeat(3 * 1024 * 1024) } }),
      });
      assert.equal(big.status, 413);
      assert.equal(big.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    });
  });

  it('refuses a mutation over GET with 405 and Allow: POST, and serves a query over GET', async () => {
    const get = (query: string, operationName?: string) =>
      raw(`${stack.gatewayUrl}?${new URLSearchParams({ query, ...(operationName ? { operationName } : {}) })}`, {
        method: 'GET',
        headers: { 'apollo-require-preflight': 'true' },
      });
    await withoutUpstream(stack, async () => {
      const mutation = await get('mutation { revokeCreditConsent(purpose: EMPLOYMENT) }');
      assert.equal(mutation.status, 405);
      assert.equal(mutation.headers.get('allow'), 'POST');
      assert.deepEqual(mutation.body.errors?.[0]?.extensions, { code: 'BAD_USER_INPUT', reason: 'MUTATION_OVER_GET' });
      const named = await get('query Q { __typename } mutation M { revokeCreditConsent(purpose: EMPLOYMENT) }', 'M');
      assert.equal(named.status, 405);
      assertRefused(await get(aliased(16)), 'aliases', 15, 16);
    });
    assertServed(await get('{ institutions { id } }'));
  });

  it('refuses cross-site form posts and simple GETs (CSRF) before reading them, calling nothing', async () => {
    const query = '{ institutions { id } }';
    const forms: Array<[string, string]> = [
      ['application/x-www-form-urlencoded', `query=${encodeURIComponent(query)}`],
      ['text/plain', JSON.stringify({ query })],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${query}\r\n--x--\r\n`],
    ];
    await withoutUpstream(stack, async () => {
      for (const [type, body] of forms) {
        const response = await raw(stack.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': type, origin: 'https://evil.example' },
          body,
        });
        assert.equal(response.status, 400, type);
        assert.deepEqual(response.body.errors?.[0]?.extensions, { code: 'BAD_USER_INPUT', reason: 'PREFLIGHT_REQUIRED' }, type);
      }
      const simpleGet = await raw(`${stack.gatewayUrl}?query=${encodeURIComponent(query)}`, { method: 'GET' });
      assert.deepEqual(simpleGet.body.errors?.[0]?.extensions, { code: 'BAD_USER_INPUT', reason: 'PREFLIGHT_REQUIRED' });
    });
    assertServed(
      await raw(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'apollo-require-preflight': '1' },
        body: JSON.stringify({ query }),
      }),
    );
  });

  it('suggests no field, argument or enum value in any error', async () => {
    const typo = await graphql('{ institutins { id } customer(idd: "x") { id } }');
    const badEnum = await graphql('{ customer(id: "c") { creditReport(purpose: EMPLOYMEN, inquiry: SOFT) { score } } }');
    const badVariable = await graphql(
      'query ($p: PermissiblePurpose!) { customer(id: "c") { creditReport(purpose: $p, inquiry: SOFT) { score } } }',
      {
        p: 'EMPLOYMEN',
      },
    );
    for (const response of [typo, badEnum, badVariable]) {
      assert.equal(response.status, 400);
      assert.ok((response.body.errors?.length ?? 0) > 0);
      assert.doesNotMatch(JSON.stringify(response.body), /Did you mean|institutions|EMPLOYMENT/);
    }
  });

  it('CORS: a listed origin is echoed on answers and preflights, an unknown one gets no CORS header', async () => {
    const listed = await raw(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    assert.equal(listed.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(listed.headers.get('vary') ?? '', /Origin/);
    assert.equal(listed.headers.get('access-control-allow-credentials'), null, 'no origin is granted credentials');
    const refusedButReadable = await raw(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ query: aliased(16) }),
    });
    assert.equal(refusedButReadable.headers.get('access-control-allow-origin'), ORIGIN, 'a browser app can read why it was refused');
    const unknown = await raw(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    assert.equal(unknown.headers.get('access-control-allow-origin'), null);
    assert.equal(unknown.headers.get('access-control-allow-credentials'), null);
    assert.match(unknown.headers.get('vary') ?? '', /Origin/);

    const preflight = (origin: string, method = 'POST') =>
      fetch(stack.gatewayUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' },
      });
    const allowed = await preflight(ORIGIN);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /authorization/);
    assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), null);
    for (const [origin, method] of [
      ['https://evil.example', 'POST'],
      [`${ORIGIN}.evil.example`, 'POST'],
      ['null', 'POST'],
      [ORIGIN, 'DELETE'],
    ] as const) {
      const refused = await preflight(origin, method);
      assert.equal(refused.status, 403, `${origin} ${method}`);
      assert.equal(refused.headers.get('access-control-allow-origin'), null);
      assert.equal(refused.headers.get('access-control-allow-credentials'), null);
      await refused.text();
    }
  });
});

describe('edge limits as configured: batching on, a smaller body, no CORS origin', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { GATEWAY_MAX_BATCH_SIZE: '2', GATEWAY_MAX_BODY_BYTES: '4096', GATEWAY_MAX_DEPTH: '4' } });
  });
  after(async () => {
    await stack.close();
  });
  const batch = (operations: unknown[]) =>
    raw(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(operations) });

  it('serves a batch up to its maximum, refuses a larger one, and holds each operation to the limits', async () => {
    const served = await batch([{ query: '{ institutions { id } }' }, { query: '{ __typename }' }]);
    assert.equal(served.status, 200);
    const answers = served.body as unknown as Array<{ data?: Record<string, unknown> }>;
    assert.equal(answers.length, 2);
    assert.equal((answers[0]?.data?.institutions as unknown[]).length, 4);
    await withoutUpstream(stack, async () => {
      const tooMany = await batch([{ query: '{ __typename }' }, { query: '{ __typename }' }, { query: '{ __typename }' }]);
      assert.equal(tooMany.status, 400);
      assert.deepEqual(tooMany.body.errors?.[0]?.extensions, { code: 'BAD_USER_INPUT', reason: 'BATCH_TOO_LARGE', max: 2, actual: 3 });
      const oneTooDeep = await batch([{ query: '{ institutions { id } }' }, { query: typeChain(5) }]);
      assertRefused(oneTooDeep, 'depth', 4, 5);
    });
  });

  it('refuses a body over GATEWAY_MAX_BODY_BYTES with 413, and answers no preflight without CORS_ORIGINS', async () => {
    const over = await raw(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(4096) } }),
    });
    assert.equal(over.status, 413);
    const preflight = await fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.fingraph.test', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    await preflight.text();
  });
});
