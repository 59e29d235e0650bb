// Production-grade token verification, with keys from a JWKS endpoint: the allowed algorithms pass; rotation works
// both ways (a key rotated in is accepted, a key removed is refused once the set is older than its max age); an
// unknown kid refetches the key set at most once per interval; the identity provider down keeps the last set for the
// grace, then the gateway refuses every token; over-long, not-yet-valid, iat-less tokens and tokens outside the
// Authorization header are refused. The gateway's key set ages by a clock the test moves: nothing sleeps.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { assertEvery } from '../support/assertions.js';
import { type JwksServer, newSigningKey, type SigningKey, startJwksServer } from '../support/jwks.js';
import { type Stack, startStack } from '../support/stack.js';
import { TEST_AUDIENCE, TEST_ISSUER } from '../support/tokens.js';

const QUERY = '{ institutions { id } }';
const now = () => Math.floor(Date.now() / 1000);

describe('tokens from a JWKS key set', () => {
  let stack: Stack;
  let jwks: JwksServer;
  const rsa = newSigningKey('RS256');
  const ps = newSigningKey('PS256');
  const ec = newSigningKey('ES256');

  let clock = Date.now();
  const advance = (seconds: number) => {
    clock += seconds * 1000;
  };

  before(async () => {
    jwks = await startJwksServer([rsa, ps, ec]);
    stack = await startStack({
      env: {
        JWT_JWKS_URL: jwks.url,
        JWT_JWKS_REFETCH_INTERVAL_MS: '1000',
        JWT_MAX_LIFETIME_SECONDS: '900',
        JWT_JWKS_MAX_AGE_SECONDS: '600',
        JWT_JWKS_GRACE_SECONDS: '1800',
      },
      gatewayClock: () => clock,
    });
  });
  after(async () => {
    await stack.close();
    await jwks.close();
  });

  const sign = (key: SigningKey, claims: Record<string, unknown> = {}, kid = key.kid) => {
    const payload: Record<string, unknown> = {
      tenant: 'acme',
      scope: 'accounts:read',
      sub: 'staff_1',
      iss: TEST_ISSUER,
      aud: TEST_AUDIENCE,
      iat: now(),
      exp: now() + 300,
      ...claims,
    };
    for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
    return jwt.sign(payload, key.privateKey, { algorithm: key.alg, keyid: kid, noTimestamp: !('iat' in payload) });
  };
  const ask = async (headers: Record<string, string>, url?: string, body?: Record<string, unknown>) => {
    const response = await fetch(url ?? stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: QUERY, ...body }),
    });
    return { status: response.status, body: (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> } };
  };

  for (const key of [rsa, ps, ec]) {
    it(`accepts ${key.alg}`, async () => {
      assert.equal((await ask({ authorization: `Bearer ${sign(key)}` })).status, 200);
    });
  }

  it('refuses a token whose lifetime exceeds the maximum, one not yet valid, and one without iat', async () => {
    for (const claims of [{ exp: now() + 1000 }, { nbf: now() + 600 }, { iat: undefined }]) {
      const response = await ask({ authorization: `Bearer ${sign(rsa, claims)}` });
      assert.equal(response.status, 401, JSON.stringify(claims));
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    }
  });

  it('refuses a token in the query string or the body, even beside a valid header', async () => {
    const token = sign(rsa);
    assert.equal((await ask({ authorization: `Bearer ${token}` }, `${stack.gatewayUrl}?access_token=${token}`)).status, 401);
    assert.equal((await ask({}, `${stack.gatewayUrl}?access_token=${token}`)).status, 401);
    assert.equal((await ask({ authorization: `Bearer ${token}` }, undefined, { access_token: token })).status, 401);
  });

  it('refuses an unknown kid, refetching the key set at most once per interval', async () => {
    const stranger = newSigningKey('RS256');
    const before = jwks.fetches;
    const results = await Promise.all(Array.from({ length: 20 }, () => ask({ authorization: `Bearer ${sign(stranger)}` })));
    assertEvery(results, (result) => result.status === 401);
    assert.ok(jwks.fetches - before <= 1, `${jwks.fetches - before} fetches for 20 unknown-kid tokens`);
    // A token signed by a known key but claiming another key's kid fails too.
    assert.equal((await ask({ authorization: `Bearer ${sign(stranger, {}, rsa.kid)}` })).status, 401);
  });

  it('verifies a key only with the algorithm the key set published it for', async () => {
    // The RSA key published for RS256 signs a PS256 token: same key, other algorithm, refused.
    const asPs256 = jwt.sign(
      { tenant: 'acme', sub: 's', iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now(), exp: now() + 300 },
      rsa.privateKey,
      { algorithm: 'PS256', keyid: rsa.kid },
    );
    assert.equal((await ask({ authorization: `Bearer ${asPs256}` })).status, 401);
  });

  it('picks up a rotated-in key once the interval since the last unknown-kid fetch has passed', async () => {
    const next = newSigningKey('ES256');
    jwks.keys = [...jwks.keys, next];
    advance(1);
    assert.equal((await ask({ authorization: `Bearer ${sign(next)}` })).status, 200);
  });

  it('refuses a key removed from the set once the set is older than JWT_JWKS_MAX_AGE_SECONDS', async () => {
    advance(600);
    assert.equal((await ask({ authorization: `Bearer ${sign(ps)}` })).status, 200, 'a fresh set');
    jwks.keys = jwks.keys.filter((key) => key !== ps);
    advance(599);
    assert.equal((await ask({ authorization: `Bearer ${sign(ps)}` })).status, 200, 'the set is not yet 600 s old');
    advance(1);
    const refused = await ask({ authorization: `Bearer ${sign(ps)}` });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.equal((await ask({ authorization: `Bearer ${sign(rsa)}` })).status, 200, 'the keys still listed verify');
  });

  it('keeps the last set while the identity provider is down, until the grace ends, then refuses every token', async () => {
    advance(600);
    assert.equal((await ask({ authorization: `Bearer ${sign(rsa)}` })).status, 200);
    jwks.down = true;
    try {
      advance(600);
      assert.equal((await ask({ authorization: `Bearer ${sign(rsa)}` })).status, 200, 'past the max age, within the grace');
      advance(1799);
      assert.equal((await ask({ authorization: `Bearer ${sign(rsa)}` })).status, 200, 'one second of grace left');
      advance(1);
      const refused = await ask({ authorization: `Bearer ${sign(rsa)}` });
      assert.equal(refused.status, 401);
      assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.ok(
        stack.logs.some(
          (line) => line.service === 'gateway' && line.level === 'error' && String(line.msg).startsWith('key set unavailable'),
        ),
        'the gateway logged why it refuses every token',
      );
    } finally {
      jwks.down = false;
    }
    advance(1);
    assert.equal((await ask({ authorization: `Bearer ${sign(rsa)}` })).status, 200, 'the provider is back');
  });
});
