// Token helpers for tests: one RSA key pair per test process, and signed tokens with the contract's claims.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { type DevTokenOptions, signDevToken } from '../../lib/auth/devToken.js';

export const TEST_ISSUER = 'https://auth.fingraph.test/';
export const TEST_AUDIENCE = 'fingraph-test';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const testKeys = {
  privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  internalSecret: randomBytes(32),
  /** AES-256 key for the cache's sensitive values when tests share a Redis between subgraph processes. */
  cacheKey: randomBytes(32),
};

export type TokenRequest = Omit<DevTokenOptions, 'privateKeyPem' | 'issuer' | 'audience'>;

export function tokenFor(request: TokenRequest): string {
  return signDevToken({ privateKeyPem: testKeys.privateKeyPem, issuer: TEST_ISSUER, audience: TEST_AUDIENCE, ...request });
}
