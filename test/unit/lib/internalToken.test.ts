// The gateway-to-subgraph token: only the right subgraph's key, audience and a fresh token pass.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deriveSubgraphKey, InternalTokenError, signInternalToken, verifyInternalToken } from '../../../lib/auth/internalToken.js';
import type { Principal } from '../../../lib/auth/principal.js';

const master = randomBytes(32);
const principal: Principal = { sub: 'cus_1', tenant: 'acme', customerId: 'cus_1', scopes: ['accounts:read'], amr: ['pwd', 'otp'] };

describe('internal token', () => {
  it('round-trips the principal and request id for the subgraph it was signed for', () => {
    const key = deriveSubgraphKey(master, 'accounts');
    const verified = verifyInternalToken(key, 'accounts', signInternalToken(key, 'accounts', principal, 'req-12345678'));
    assert.deepEqual(verified.principal, principal);
    assert.equal(verified.requestId, 'req-12345678');
  });

  it('gives each subgraph its own key', () => {
    assert.notDeepEqual(deriveSubgraphKey(master, 'accounts'), deriveSubgraphKey(master, 'payments'));
  });

  it('refuses another subgraph’s token, a forged signature, a tampered payload and an expired token', () => {
    const accounts = deriveSubgraphKey(master, 'accounts');
    const payments = deriveSubgraphKey(master, 'payments');
    const forPayments = signInternalToken(payments, 'payments', principal, 'req-12345678');
    assert.throws(() => verifyInternalToken(accounts, 'accounts', forPayments), InternalTokenError);
    const signedWithOtherKey = signInternalToken(payments, 'accounts', principal, 'req-12345678');
    assert.throws(() => verifyInternalToken(accounts, 'accounts', signedWithOtherKey), /bad signature/);
    const [version, body, signature] = signInternalToken(accounts, 'accounts', principal, 'req-12345678').split('.');
    const claims = JSON.parse(Buffer.from(body as string, 'base64url').toString()) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...claims, ten: 'globex' })).toString('base64url');
    assert.throws(() => verifyInternalToken(accounts, 'accounts', `${version}.${tampered}.${signature}`), /bad signature/);
    const old = signInternalToken(accounts, 'accounts', principal, 'req-12345678', 1_000_000);
    assert.throws(() => verifyInternalToken(accounts, 'accounts', old), /expired/);
    assert.throws(() => verifyInternalToken(accounts, 'accounts', undefined), /missing/);
  });
});
