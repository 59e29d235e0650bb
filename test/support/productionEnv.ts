// Settings with which each service starts under production rules (NODE_ENV anything but "development"): keys of
// its own outside any development-keys folder, a credentials file that is not the sandbox's committed one, secrets,
// and Redis where a service keeps records. Each service's list of what production needs, for the tests to name.
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveSubgraphKey } from '../../lib/auth/internalToken.js';
import { fromRoot } from '../../lib/config/paths.js';
import { TEST_AUDIENCE, TEST_ISSUER, testKeys } from './tokens.js';

export type ServiceName = 'gateway' | 'accounts' | 'identity' | 'payments' | 'credit';
export const serviceNames: readonly ServiceName[] = ['gateway', 'accounts', 'identity', 'payments', 'credit'];

/** The variables each service's refusal must name when it is started outside development with none of them (with the
 * alternatives: a key source, or each upstream's own URL instead of UPSTREAM_BASE_URL, or Redis in any of its forms). */
const redis = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_SENTINEL_NAME', 'REDIS_CLUSTER_NODES', 'CACHE_ENCRYPTION_KEYS'];
const shared = ['UPSTREAM_CREDENTIALS_FILE', 'UPSTREAM_BASE_URL'];
export const productionVariables: Readonly<Record<ServiceName, readonly string[]>> = {
  gateway: [
    'JWT_PUBLIC_KEY_FILES',
    'JWT_JWKS_URL',
    'JWT_HS256_SECRET',
    'JWT_ISSUER',
    'JWT_AUDIENCE',
    'INTERNAL_TOKEN_SECRET',
    'AUDIT_SINK',
    'AUDIT_SIGNING_KEY_FILE',
  ],
  accounts: [
    'ACCOUNTS_INTERNAL_KEY',
    ...shared,
    'BANK_NORTHWIND_URL',
    'BANK_ALBION_URL',
    'BANK_LAKESIDE_URL',
    'BANK_PACIFIC_URL',
    'DIRECTORY_URL',
    'FX_RATES_URL',
  ],
  identity: [
    'IDENTITY_INTERNAL_KEY',
    ...shared,
    'DIRECTORY_URL',
    'KYC_URL',
    'SANCTIONS_URL',
    'KYC_WEBHOOK_TOKEN',
    'AUDIT_SINK',
    'AUDIT_SIGNING_KEY_FILE',
  ],
  payments: [
    'PAYMENTS_INTERNAL_KEY',
    ...shared,
    'PROCESSOR_URL',
    'TRANSFERS_URL',
    ...redis,
    'PROCESSOR_WEBHOOK_SECRET',
    'TRANSFERS_WEBHOOK_SECRET',
    'AUDIT_SINK',
    'AUDIT_SIGNING_KEY_FILE',
  ],
  credit: ['CREDIT_INTERNAL_KEY', ...shared, 'BUREAU_URL', 'DIRECTORY_URL', ...redis, 'AUDIT_SINK', 'AUDIT_SIGNING_KEY_FILE'],
};

/** The settings that have no alternative: leaving one out is refused naming that one alone. */
export const soleSettings: Readonly<Record<ServiceName, readonly string[]>> = {
  gateway: ['JWT_ISSUER', 'JWT_AUDIENCE', 'INTERNAL_TOKEN_SECRET', 'AUDIT_SINK', 'AUDIT_DIRECTORY', 'AUDIT_SIGNING_KEY_FILE'],
  accounts: ['ACCOUNTS_INTERNAL_KEY', 'UPSTREAM_CREDENTIALS_FILE'],
  identity: [
    'IDENTITY_INTERNAL_KEY',
    'UPSTREAM_CREDENTIALS_FILE',
    'KYC_WEBHOOK_TOKEN',
    'AUDIT_SINK',
    'AUDIT_DIRECTORY',
    'AUDIT_SIGNING_KEY_FILE',
  ],
  payments: [
    'PAYMENTS_INTERNAL_KEY',
    'UPSTREAM_CREDENTIALS_FILE',
    'CACHE_ENCRYPTION_KEYS',
    'PROCESSOR_WEBHOOK_SECRET',
    'TRANSFERS_WEBHOOK_SECRET',
    'AUDIT_SINK',
    'AUDIT_DIRECTORY',
    'AUDIT_SIGNING_KEY_FILE',
  ],
  credit: [
    'CREDIT_INTERNAL_KEY',
    'UPSTREAM_CREDENTIALS_FILE',
    'CACHE_ENCRYPTION_KEYS',
    'AUDIT_SINK',
    'AUDIT_DIRECTORY',
    'AUDIT_SIGNING_KEY_FILE',
  ],
};

/** A full production environment for one service; `redisUrl` is where payments and credit keep their records. */
export function productionEnv(service: ServiceName, options: { redisUrl: string; upstreamBaseUrl?: string }): Record<string, string> {
  const directory = mkdtempSync(join(tmpdir(), 'fingraph-production-'));
  const publicKeyFile = join(directory, 'idp-public.pem');
  writeFileSync(publicKeyFile, testKeys.publicKeyPem);
  const credentialsFile = join(directory, 'upstream-credentials.json');
  copyFileSync(fromRoot('sandbox', 'credentials.dev.json'), credentialsFile);
  const subgraph = (name: string) => ({
    [`${name.toUpperCase()}_INTERNAL_KEY`]: deriveSubgraphKey(testKeys.internalSecret, name).toString('base64'),
    UPSTREAM_CREDENTIALS_FILE: credentialsFile,
    UPSTREAM_BASE_URL: options.upstreamBaseUrl ?? 'http://127.0.0.1:9',
  });
  // Each service's day files in this environment's own folder (production names the store; it never picks one).
  const signingKeyFile = join(directory, 'audit-signing-key.pem');
  writeFileSync(signingKeyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const audit = {
    AUDIT_SINK: 'file',
    AUDIT_DIRECTORY: mkdtempSync(join(directory, 'audit-')),
    AUDIT_SIGNING_KEY_FILE: signingKeyFile,
  };
  const records = { REDIS_URL: options.redisUrl, CACHE_ENCRYPTION_KEYS: `prod-1:${testKeys.cacheKey.toString('base64')}` };
  switch (service) {
    case 'gateway':
      return {
        JWT_PUBLIC_KEY_FILES: publicKeyFile,
        JWT_ISSUER: TEST_ISSUER,
        JWT_AUDIENCE: TEST_AUDIENCE,
        INTERNAL_TOKEN_SECRET: testKeys.internalSecret.toString('base64'),
        ...audit,
      };
    case 'accounts':
      return subgraph('accounts');
    case 'identity':
      return { ...subgraph('identity'), ...audit, KYC_WEBHOOK_TOKEN: 'kyc-webhook-token-of-this-deployment-0001' };
    case 'payments':
      return {
        ...subgraph('payments'),
        ...records,
        ...audit,
        PROCESSOR_WEBHOOK_SECRET: 'whsec_this_deployment_processor_0001',
        TRANSFERS_WEBHOOK_SECRET: 'this-deployment-transfers-0001',
      };
    case 'credit':
      return { ...subgraph('credit'), ...records, ...audit };
  }
}
