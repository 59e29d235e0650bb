// Issue 11 item 3: the JWKS key store against a real local key-set server, on an injected clock. A key the identity
// provider removed stops verifying once the set is older than its max age; a key it added verifies at once; while the
// provider is down the last good set is kept until the grace ends, then every token is refused (UNAUTHENTICATED,
// with a log line) until a fetch succeeds again.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { type Authenticate, createAuthenticator } from '../../../gateway/plugins/authentication/index.js';
import { type JwksKeyStore, jwksKeyStore } from '../../../gateway/plugins/authentication/jwksKeyStore.js';
import { KeySetUnavailable } from '../../../gateway/plugins/authentication/keyStore.js';
import { ErrorCode, FinGraphError } from '../../../lib/errors/index.js';
import { createLogger } from '../../../lib/logging/logger.js';
import { type JwksServer, newSigningKey, type SigningKey, startJwksServer } from '../../support/jwks.js';

const ISSUER = 'https://idp.test/';
const AUDIENCE = 'fingraph-test';
const MAX_AGE_SECONDS = 600;
const GRACE_SECONDS = 3600;
const INTERVAL_MILLIS = 60_000;

interface Harness {
  readonly store: JwksKeyStore;
  readonly authenticate: Authenticate;
  readonly logs: Array<Record<string, unknown>>;
  /** Moves the store's clock; nothing waits on real time. */
  advance(seconds: number): void;
}

function harness(jwks: JwksServer, graceSeconds = GRACE_SECONDS): Harness {
  let clock = Date.parse('2026-12-01T00:00:00Z');
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger('test', {
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  });
  const store = jwksKeyStore({
    url: jwks.url,
    refetchIntervalMillis: INTERVAL_MILLIS,
    maxAgeSeconds: MAX_AGE_SECONDS,
    graceSeconds,
    // Generous: the JWKS server shares this process, and a loaded machine must not turn a slow answer into a failure.
    timeoutMillis: 30_000,
    logger,
    now: () => clock,
  });
  const authenticate = createAuthenticator({
    keys: store,
    algorithms: ['RS256', 'PS256', 'ES256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    clockToleranceSeconds: 30,
    maxLifetimeSeconds: 3600,
    logger,
  });
  return {
    store,
    authenticate,
    logs,
    advance: (seconds) => {
      clock += seconds * 1000;
    },
  };
}

/** A token signed now (by the real clock: jsonwebtoken checks `exp` against it, and the store's clock is separate). */
function tokenBy(key: SigningKey): string {
  const iat = Math.floor(Date.now() / 1000);
  return jwt.sign(
    { sub: 'staff_1', tenant: 'acme', scope: 'accounts:read', iss: ISSUER, aud: AUDIENCE, iat, exp: iat + 300 },
    key.privateKey,
    { algorithm: key.alg, keyid: key.kid },
  );
}

/** The authenticator's answer for a token: the principal's subject, or the code it was refused with. */
async function verdict(target: Harness, key: SigningKey): Promise<string> {
  const request = { headers: { authorization: `Bearer ${tokenBy(key)}` }, url: '/graphql' } as IncomingMessage;
  try {
    return (await target.authenticate(request, 'req-0001')).sub;
  } catch (error) {
    if (error instanceof FinGraphError) return String(error.extensions.code);
    throw error;
  }
}

describe('JWKS rotation on an injected clock', () => {
  let jwks: JwksServer;
  const first = newSigningKey('RS256');
  const second = newSigningKey('ES256');

  before(async () => {
    jwks = await startJwksServer([first, second]);
  });
  after(async () => {
    await jwks.close();
  });

  it('refuses a key removed from the set once the set is older than its max age, not before', async () => {
    jwks.keys = [first, second];
    jwks.down = false;
    const target = harness(jwks);
    await target.store.refresh();
    assert.equal(await verdict(target, second), 'staff_1');

    jwks.keys = [first];
    const fetches = jwks.fetches;
    target.advance(MAX_AGE_SECONDS - 1);
    assert.equal(await verdict(target, second), 'staff_1', 'within its max age the cached set is used as it is');
    assert.equal(jwks.fetches, fetches, 'and not fetched again');

    target.advance(1);
    assert.equal(await verdict(target, second), ErrorCode.UNAUTHENTICATED, 'at its max age the set is fetched again');
    assert.equal(await verdict(target, first), 'staff_1', 'the key still listed verifies');
    assert.ok(jwks.fetches > fetches);
  });

  it('accepts a key added to the set at once, and fetches for unknown kids at most once per interval', async () => {
    jwks.keys = [first];
    jwks.down = false;
    const target = harness(jwks);
    await target.store.refresh();
    const added = newSigningKey('PS256');
    jwks.keys = [first, added];
    assert.equal(await verdict(target, added), 'staff_1', 'no waiting for the max age: an unknown kid fetches at once');

    const strangers = Array.from({ length: 5 }, () => newSigningKey('RS256'));
    const fetches = jwks.fetches;
    for (const stranger of strangers) assert.equal(await verdict(target, stranger), ErrorCode.UNAUTHENTICATED);
    assert.equal(jwks.fetches, fetches, "the fetch for the added key used the interval's one fetch");
    target.advance(INTERVAL_MILLIS / 1000);
    assert.equal(await verdict(target, strangers[0] as SigningKey), ErrorCode.UNAUTHENTICATED);
    assert.equal(jwks.fetches, fetches + 1, 'one more fetch once the interval has passed');
  });

  it('retries a fetch once on a new connection when the old one is reset before an answer, and only once', async () => {
    jwks.keys = [first];
    jwks.down = false;
    const target = harness(jwks);
    // A pooled connection the provider closed as idle fails at once with a reset: the second attempt is answered.
    jwks.resetNext = 1;
    let fetches = jwks.fetches;
    await target.store.refresh();
    assert.equal(jwks.fetches, fetches + 2);
    assert.equal(await verdict(target, first), 'staff_1');
    assert.equal(target.logs.filter((line) => line.msg === 'key set fetch failed').length, 0);
    // Reset twice: not a stale connection but a failing provider; the fetch fails and says so.
    target.advance(MAX_AGE_SECONDS);
    jwks.resetNext = 2;
    fetches = jwks.fetches;
    await target.store.refresh();
    assert.equal(jwks.fetches, fetches + 2, 'one retry, no more');
    assert.equal(target.logs.filter((line) => line.msg === 'key set fetch failed').length, 1);
    jwks.resetNext = 0;
  });

  it('keeps the last good set while the identity provider is down, until the grace ends; then refuses and logs it', async () => {
    jwks.keys = [first];
    jwks.down = false;
    const target = harness(jwks);
    await target.store.refresh();
    jwks.down = true;

    target.advance(MAX_AGE_SECONDS);
    assert.equal(await verdict(target, first), 'staff_1', 'the failed fetch past the max age keeps the last good set');
    const failed = target.logs.find((line) => line.msg === 'key set fetch failed');
    assert.equal(failed?.reason, 'status 503');
    target.advance(GRACE_SECONDS - 1);
    assert.equal(await verdict(target, first), 'staff_1', 'still within the grace');
    assert.equal(target.logs.filter((line) => line.level === 'error').length, 0);

    target.advance(1);
    assert.equal(await verdict(target, first), ErrorCode.UNAUTHENTICATED, 'the grace is over: fail closed');
    assert.equal(await verdict(target, first), ErrorCode.UNAUTHENTICATED);
    const unavailable = target.logs.filter((line) => line.level === 'error');
    assert.equal(unavailable.length, 1, 'logged once, not once per request');
    assert.match(String(unavailable[0]?.msg), /key set unavailable/);
    assert.equal(unavailable[0]?.keySetAgeSeconds, MAX_AGE_SECONDS + GRACE_SECONDS);
    assert.ok(target.logs.some((line) => line.msg === 'authentication refused' && line.reason === 'key set unavailable'));
    await assert.rejects(target.store.candidates(first.kid), KeySetUnavailable);
    assert.ok(!JSON.stringify(target.logs).includes(jwks.url), "the key set's URL is not logged");

    jwks.down = false;
    target.advance(INTERVAL_MILLIS / 1000);
    assert.equal(await verdict(target, first), 'staff_1', 'the provider is back: the next fetch restores verification');
    assert.ok(target.logs.some((line) => line.msg === 'key set available again; tokens are verified again'));
  });

  it('takes an answer that is not a key set as a failed fetch, keeping the last good set, and logs no part of it', async () => {
    jwks.keys = [first];
    jwks.down = false;
    const target = harness(jwks);
    await target.store.refresh();
    try {
      for (const [answer, reason] of [
        ['<html>sign in</html>', 'key set is not JSON'],
        ['{"keys":"secret-looking"}', 'not a key set (keys)'],
      ] as const) {
        jwks.rawBody = answer;
        target.advance(MAX_AGE_SECONDS);
        assert.equal(await verdict(target, first), 'staff_1', answer);
        // After a first failure the retry runs behind the request; join it before reading the log.
        await target.store.refresh();
        assert.equal(target.logs.filter((line) => line.msg === 'key set fetch failed').at(-1)?.reason, reason);
      }
      assert.ok(!JSON.stringify(target.logs).includes('secret-looking'));
    } finally {
      jwks.rawBody = undefined;
    }
  });

  it('with no grace, refuses as soon as a fetch past the max age fails', async () => {
    jwks.keys = [first];
    jwks.down = false;
    const target = harness(jwks, 0);
    await target.store.refresh();
    jwks.down = true;
    target.advance(MAX_AGE_SECONDS);
    assert.equal(await verdict(target, first), ErrorCode.UNAUTHENTICATED);
  });

  it('refuses every token when no key set was ever fetched (the provider down at start)', async () => {
    jwks.keys = [first];
    jwks.down = true;
    const target = harness(jwks);
    await target.store.refresh();
    assert.equal(await verdict(target, first), ErrorCode.UNAUTHENTICATED);
    assert.equal(target.logs.filter((line) => line.level === 'error').length, 1);
    jwks.down = false;
    target.advance(INTERVAL_MILLIS / 1000);
    assert.equal(await verdict(target, first), 'staff_1');
  });
});
