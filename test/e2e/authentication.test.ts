// Who is asking, from the first query on: no token or a bad one is UNAUTHENTICATED with HTTP 401 and no data; a
// subgraph refuses anything without the gateway's internal token for it; nothing secret reaches the logs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { Agent, fetch as undiciFetch } from 'undici';
import { deriveSubgraphKey, signInternalToken } from '../../lib/auth/internalToken.js';
import { type Stack, startStack } from '../support/stack.js';
import { TEST_AUDIENCE, TEST_ISSUER, testKeys, tokenFor } from '../support/tokens.js';

const QUERY = '{ institutions { id name } }';

describe('authentication', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack.close();
  });

  const sign = (claims: Record<string, unknown>, options: jwt.SignOptions = {}) =>
    jwt.sign({ tenant: 'acme', scope: 'accounts:read', ...claims }, testKeys.privateKeyPem, {
      algorithm: 'RS256',
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      subject: 'staff_1',
      expiresIn: 300,
      ...options,
    });

  it('serves a valid token', async () => {
    const response = await stack.graphql(QUERY, { token: tokenFor({ role: 'cfo', tenant: 'acme' }) });
    assert.equal(response.status, 200);
    assert.equal((response.body.data?.institutions as unknown[]).length, 4);
    assert.ok(response.headers.get('x-request-id'));
  });

  const refused: Array<[string, () => Record<string, string>]> = [
    ['no token', () => ({})],
    ['a non-bearer scheme', () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })],
    ['a wrong issuer', () => ({ authorization: `Bearer ${sign({}, { issuer: 'https://evil.example/' })}` })],
    ['a wrong audience', () => ({ authorization: `Bearer ${sign({}, { audience: 'other-api' })}` })],
    [
      'an expired token',
      () => ({
        authorization: `Bearer ${jwt.sign({ tenant: 'acme', exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 4000 }, testKeys.privateKeyPem, { algorithm: 'RS256', issuer: TEST_ISSUER, audience: TEST_AUDIENCE, subject: 's' })}`,
      }),
    ],
    [
      'no exp',
      () => ({
        authorization: `Bearer ${jwt.sign({ tenant: 'acme' }, testKeys.privateKeyPem, { algorithm: 'RS256', issuer: TEST_ISSUER, audience: TEST_AUDIENCE, subject: 's' })}`,
      }),
    ],
    ['no tenant', () => ({ authorization: `Bearer ${sign({ tenant: undefined })}` })],
    ['a lifetime over the one-hour maximum', () => ({ authorization: `Bearer ${sign({}, { expiresIn: 7200 })}` })],
    ['an unknown kid', () => ({ authorization: `Bearer ${sign({}, { keyid: 'retired-key-2019' })}` })],
    ['a token not yet valid', () => ({ authorization: `Bearer ${sign({}, { notBefore: 600 })}` })],
    [
      'a JWT that is not an access token (typ logout+jwt)',
      () => ({ authorization: `Bearer ${sign({}, { header: { alg: 'RS256', typ: 'logout+jwt' } })}` }),
    ],
    [
      'alg none',
      () => ({
        authorization: `Bearer ${jwt.sign({ tenant: 'acme', iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 's', exp: Math.floor(Date.now() / 1000) + 60 }, '', { algorithm: 'none' })}`,
      }),
    ],
    [
      'HS256 signed with the public key',
      () => ({
        authorization: `Bearer ${jwt.sign({ tenant: 'acme' }, testKeys.publicKeyPem, { algorithm: 'HS256', issuer: TEST_ISSUER, audience: TEST_AUDIENCE, subject: 's', expiresIn: 60 })}`,
      }),
    ],
    [
      'a tampered payload',
      () => {
        const [header, , signature] = sign({}).split('.');
        const payload = Buffer.from(
          JSON.stringify({ tenant: 'globex', iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 's', exp: Math.floor(Date.now() / 1000) + 60 }),
        ).toString('base64url');
        return { authorization: `Bearer ${header}.${payload}.${signature}` };
      },
    ],
  ];
  for (const [name, headers] of refused) {
    it(`refuses ${name} with UNAUTHENTICATED and HTTP 401`, async () => {
      const response = await stack.graphql(QUERY, { headers: headers() });
      assert.equal(response.status, 401);
      assert.equal(response.body.data, undefined);
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.equal(response.body.errors?.[0]?.message, 'Authentication required', 'the reason is logged, not echoed');
    });
  }

  for (const name of ['accounts', 'identity', 'payments', 'credit'] as const) {
    it(`closes the ${name} subgraph to callers other than the gateway, _service and _entities included`, async () => {
      const url = stack.subgraphUrls[name] as string;
      const other = name === 'payments' ? 'credit' : 'payments';
      const principal = { sub: 's', tenant: 'acme', customerId: undefined, scopes: ['accounts:read'], amr: [] };
      const client = tokenFor({ role: 'admin', tenant: 'acme' });
      const forged = signInternalToken(deriveSubgraphKey(Buffer.alloc(32, 7), name), name, principal, 'req-forged-1');
      // Signed with another subgraph's key, once for that subgraph and once naming this one as its audience.
      const forOtherSubgraph = signInternalToken(
        deriveSubgraphKey(Buffer.from(testKeys.internalSecret), other),
        other,
        principal,
        'req-other-1',
      );
      const otherKeyThisAudience = signInternalToken(
        deriveSubgraphKey(Buffer.from(testKeys.internalSecret), other),
        name,
        principal,
        'req-other-2',
      );
      // Its own key, but naming another subgraph as the audience.
      const thisKeyOtherAudience = signInternalToken(
        deriveSubgraphKey(Buffer.from(testKeys.internalSecret), name),
        other,
        principal,
        'req-other-3',
      );
      const refused = [
        {},
        { authorization: `Bearer ${client}` },
        { 'x-fingraph-principal': forged },
        { 'x-fingraph-principal': forOtherSubgraph },
        { 'x-fingraph-principal': otherKeyThisAudience },
        { 'x-fingraph-principal': thisKeyOtherAudience },
      ] as Array<Record<string, string>>;
      for (const query of [
        '{ _service { sdl } }',
        '{ _entities(representations: [{ __typename: "Customer", id: "x" }]) { __typename } }',
        '{ __typename }',
      ]) {
        for (const headers of refused) {
          const response = await stack.graphql(query, { url, headers });
          assert.equal(response.status, 401, `${name}: ${query} with ${Object.keys(headers).join(',') || 'nothing'}`);
          assert.equal(response.body.data, undefined);
        }
      }
      // Its own token opens it: the refusals above are the token's, not a subgraph that refuses everything.
      const own = signInternalToken(deriveSubgraphKey(Buffer.from(testKeys.internalSecret), name), name, principal, 'req-own-1');
      const served = await stack.graphql('{ __typename }', { url, headers: { 'x-fingraph-principal': own } });
      assert.equal(served.status, 200);
      assert.deepEqual(served.body.data, { __typename: 'Query' });
    });
  }

  it("keeps the client's keep-alive connection through every early refusal, at the gateway and at a subgraph", async () => {
    const gateway = { url: stack.gatewayUrl, headers: { authorization: `Bearer ${tokenFor({ role: 'cfo', tenant: 'acme' })}` } };
    const internal = signInternalToken(
      deriveSubgraphKey(Buffer.from(testKeys.internalSecret), 'accounts'),
      'accounts',
      { sub: 's', tenant: 'acme', customerId: undefined, scopes: [], amr: [] },
      'req-keepalive-1',
    );
    const subgraph = { url: stack.subgraphUrls.accounts as string, headers: { 'x-fingraph-principal': internal } };
    const padded = JSON.stringify({ query: QUERY, pad: 'x'.repeat(256 * 1024) });
    const cases = [
      { name: 'an oversize body', target: gateway, headers: gateway.headers, body: 'x'.repeat(2 * 1024 * 1024), status: 413 },
      { name: 'malformed JSON', target: gateway, headers: gateway.headers, body: '{"query":', status: 400 },
      { name: 'no token (refused before the body is read)', target: gateway, headers: {}, body: padded, status: 401 },
      {
        name: 'no internal token at a subgraph (refused before the body is read)',
        target: subgraph,
        headers: {},
        body: padded,
        status: 401,
      },
    ];
    for (const refused of cases) {
      // One connection: every request after the refusal travels on the connection the refusal was answered on.
      const agent = new Agent({ connections: 1 });
      const post = (headers: Record<string, string>, body: string) =>
        undiciFetch(refused.target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
          dispatcher: agent,
        });
      try {
        const first = await post(refused.headers, refused.body);
        await first.arrayBuffer();
        assert.equal(first.status, refused.status, refused.name);
        for (let index = 0; index < 12; index += 1) {
          const next = await post(refused.target.headers, JSON.stringify({ query: '{ __typename }' }));
          assert.equal(next.status, 200, `${refused.name}: request ${index + 1} after it`);
          assert.deepEqual(await next.json(), { data: { __typename: 'Query' } });
        }
      } finally {
        await agent.close();
      }
    }
  });

  it('writes one structured log line per request with its request id, and never a token', async () => {
    const token = tokenFor({ role: 'cfo', tenant: 'acme' });
    const response = await stack.graphql(QUERY, { token, headers: { 'x-request-id': 'test-request-0001' } });
    assert.equal(response.headers.get('x-request-id'), 'test-request-0001');
    const lines = stack.logs.filter((line) => line.requestId === 'test-request-0001' && line.msg === 'request');
    assert.deepEqual(lines.map((line) => line.service).sort(), ['accounts', 'gateway'], 'the id follows the request into the subgraph');
    assert.equal(lines.find((line) => line.service === 'gateway')?.tenant, 'acme');
    const everything = stack.rawLogs.join('\n');
    assert.ok(!everything.includes(token.split('.')[2] as string), 'no client token in any log line');
    assert.doesNotMatch(everything, /v1\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/, 'no internal token in any log line');
  });
});
