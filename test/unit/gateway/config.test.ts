// The gateway's key and algorithm configuration: the unsafe combinations are refused at start-up.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEVELOPMENT_KEYS_MARKER, readGatewayConfig } from '../../../gateway/config.js';
import { ConfigError } from '../../../lib/config/env.js';
import { testKeys } from '../../support/tokens.js';

const directory = mkdtempSync(join(tmpdir(), 'fingraph-config-'));
const pem = join(directory, 'idp.pem');
writeFileSync(pem, testKeys.publicKeyPem);
const base = { NODE_ENV: 'development', INTERNAL_TOKEN_SECRET: Buffer.alloc(32, 1).toString('base64'), JWT_PUBLIC_KEY_FILES: pem };
const refusedFor = (variable: string) => (error: unknown) => error instanceof ConfigError && error.variable === variable;

describe('gateway configuration', () => {
  it('accepts PEM keys with the default asymmetric algorithms', () => {
    const config = readGatewayConfig(base);
    assert.deepEqual(config.jwt.algorithms, ['RS256', 'PS256', 'ES256']);
    assert.equal(config.jwt.maxLifetimeSeconds, 3600);
    assert.equal(config.allowAnonymousIntrospection, false, 'introspection without a token is off by default');
  });

  it('refuses HS256 beside asymmetric keys, a short HMAC secret, and HS256 without a secret', () => {
    const secret = Buffer.alloc(32, 7).toString('base64');
    assert.throws(() => readGatewayConfig({ ...base, JWT_HS256_SECRET: secret }), refusedFor('JWT_PUBLIC_KEY_FILES'));
    assert.throws(
      () => readGatewayConfig({ ...base, JWT_PUBLIC_KEY_FILES: undefined, JWT_HS256_SECRET: Buffer.alloc(16).toString('base64') }),
      refusedFor('JWT_HS256_SECRET'),
    );
    assert.throws(() => readGatewayConfig({ ...base, JWT_ALGORITHMS: 'RS256,HS256' }), refusedFor('JWT_ALGORITHMS'));
    assert.throws(() => readGatewayConfig({ ...base, JWT_ALGORITHMS: 'none' }), refusedFor('JWT_ALGORITHMS'));
    const hmac = readGatewayConfig({ ...base, JWT_PUBLIC_KEY_FILES: undefined, JWT_HS256_SECRET: secret });
    assert.deepEqual(hmac.jwt.algorithms, ['HS256']);
  });

  it("reads the JWKS key set's max age and grace, and refuses values that are not whole seconds in range", () => {
    const jwks = { ...base, JWT_PUBLIC_KEY_FILES: undefined, JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json' };
    const defaults = readGatewayConfig(jwks).jwt.keys;
    assert.equal(defaults.kind, 'jwks');
    assert.deepEqual(defaults.kind === 'jwks' ? [defaults.maxAgeSeconds, defaults.graceSeconds] : [], [600, 3600]);
    const given = readGatewayConfig({ ...jwks, JWT_JWKS_MAX_AGE_SECONDS: '300', JWT_JWKS_GRACE_SECONDS: '0' }).jwt.keys;
    assert.deepEqual(given.kind === 'jwks' ? [given.maxAgeSeconds, given.graceSeconds] : [], [300, 0], 'no grace is allowed');
    for (const value of ['0', '-5', '1.5', 'ten', '86401']) {
      assert.throws(() => readGatewayConfig({ ...jwks, JWT_JWKS_MAX_AGE_SECONDS: value }), refusedFor('JWT_JWKS_MAX_AGE_SECONDS'), value);
    }
    for (const value of ['-1', '2.5', 'an hour', '86401']) {
      assert.throws(() => readGatewayConfig({ ...jwks, JWT_JWKS_GRACE_SECONDS: value }), refusedFor('JWT_JWKS_GRACE_SECONDS'), value);
    }
  });

  it('refuses development keys and default issuer and audience outside development', () => {
    const auditSigningKeyFile = join(mkdtempSync(join(tmpdir(), 'fingraph-audit-key-')), 'audit-signing-key.pem');
    writeFileSync(auditSigningKeyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const production = {
      ...base,
      NODE_ENV: 'staging',
      JWT_ISSUER: 'https://idp.example/',
      JWT_AUDIENCE: 'fingraph',
      AUDIT_SINK: 'file',
      AUDIT_DIRECTORY: directory,
      AUDIT_SIGNING_KEY_FILE: auditSigningKeyFile,
    };
    assert.doesNotThrow(() => readGatewayConfig(production));
    assert.equal(readGatewayConfig(production).acceptClientRequestId, false, 'a client names no request outside development');
    assert.equal(readGatewayConfig({ ...production, GATEWAY_ACCEPT_REQUEST_ID: 'true' }).acceptClientRequestId, true);
    assert.equal(readGatewayConfig(base).acceptClientRequestId, true, 'development keeps the ids tests and tools send');
    assert.throws(() => readGatewayConfig({ ...production, JWT_ISSUER: undefined }), refusedFor('JWT_ISSUER'));
    assert.throws(() => readGatewayConfig({ ...production, JWT_AUDIENCE: undefined }), refusedFor('JWT_AUDIENCE'));
    assert.throws(() => readGatewayConfig({ ...production, AUDIT_SINK: undefined }), refusedFor('AUDIT_SINK'));
    assert.throws(() => readGatewayConfig({ ...production, AUDIT_SIGNING_KEY_FILE: undefined }), refusedFor('AUDIT_SIGNING_KEY_FILE'));
    assert.throws(
      () => readGatewayConfig({ ...production, JWT_PUBLIC_KEY_FILES: undefined }),
      refusedFor('JWT_PUBLIC_KEY_FILES, JWT_JWKS_URL, JWT_HS256_SECRET'),
    );
    writeFileSync(join(directory, DEVELOPMENT_KEYS_MARKER), '');
    assert.throws(() => readGatewayConfig(production), refusedFor('JWT_PUBLIC_KEY_FILES'));
  });
});
