// Development keys, generated on this machine on first use and never committed (.keys/ is git-ignored): the RSA pair
// that signs development JWTs, and the gateway's internal-token master secret.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fromRoot } from '../lib/config/paths.js';

export const DEV_ISSUER = 'https://auth.fingraph.local/';
export const DEV_AUDIENCE = 'fingraph-api';

export interface DevKeys {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  readonly publicKeyFile: string;
  readonly internalSecret: Buffer;
}

/** Keys live in .keys/ at the repository root, or in DEV_KEYS_DIR (tests point it at a temporary folder). */
export function ensureDevKeys(directory = process.env.DEV_KEYS_DIR ?? fromRoot('.keys')): DevKeys {
  const privateFile = `${directory}/dev-jwt-private.pem`;
  const publicKeyFile = `${directory}/dev-jwt-public.pem`;
  const secretFile = `${directory}/internal-token-secret`;
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  if (!existsSync(privateFile) || !existsSync(publicKeyFile)) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  return {
    privateKeyPem: readFileSync(privateFile, 'utf8'),
    publicKeyPem: readFileSync(publicKeyFile, 'utf8'),
    publicKeyFile,
    internalSecret: Buffer.from(readFileSync(secretFile, 'utf8').trim(), 'base64'),
  };
}
