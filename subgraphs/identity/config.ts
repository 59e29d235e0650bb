// The identity subgraph's configuration, read once from the environment and validated at start-up.

import { readFileSync } from 'node:fs';
import { type AuditConfig, auditProductionSettings, readAuditConfig } from '../../lib/audit/config.js';
import { ConfigError, type Env, readInt, readOptionalString } from '../../lib/config/env.js';
import { isDevelopment, required } from '../../lib/config/mode.js';
import { readCredentialsFile, readSubgraphBaseConfig, readUpstreamUrl, type SubgraphBaseConfig } from '../../lib/subgraph/config.js';

/**
 * The sandbox signs KYC webhooks with this development token (sandbox/kyc/index.ts, KYC_DEV_WEBHOOK_TOKEN). It is
 * written out here rather than imported: a subgraph never imports the simulator. Accepted only in development.
 */
export const DEV_KYC_WEBHOOK_TOKEN = 'kyc-webhook-token-for-local-development-only';

export interface IdentityConfig extends SubgraphBaseConfig {
  /** Where KYC and personal-data reads are audited (AUDIT_*, lib/audit/config.ts). */
  readonly audit: AuditConfig;
  readonly directoryUrl: string;
  /** The KYC provider's API, Onfido v3.6. */
  readonly kycUrl: string;
  readonly sanctionsUrl: string;
  /** The token the KYC provider signs check.completed webhooks with (X-SHA2-Signature). */
  readonly kycWebhookToken: string;
  /** The least score (50–100) of a sanctions hit that is reported as a potential match. */
  readonly sanctionsMinScore: number;
  /** The tenants that hold KYC credentials: a webhook's check is looked up in each to learn whose it is. */
  readonly kycTenants: readonly string[];
}

function tenantsWithKey(file: string, provider: string): string[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    return Object.entries(parsed)
      .filter(([, keys]) => typeof keys[provider] === 'string')
      .map(([tenant]) => tenant);
  } catch {
    throw new ConfigError('UPSTREAM_CREDENTIALS_FILE', 'a readable JSON file of { tenant: { provider: key } }', file);
  }
}

function readWebhookToken(env: Env): string {
  const production = !isDevelopment(env);
  const token = readOptionalString(env, 'KYC_WEBHOOK_TOKEN');
  if (token === undefined) {
    if (production)
      throw new ConfigError('KYC_WEBHOOK_TOKEN', "the KYC provider's webhook token (required outside development)", undefined);
    return DEV_KYC_WEBHOOK_TOKEN;
  }
  if (production && token === DEV_KYC_WEBHOOK_TOKEN) {
    throw new ConfigError(
      'KYC_WEBHOOK_TOKEN',
      'a token of its own (the development token is accepted only in development)',
      '[development token]',
    );
  }
  if (token.length < 16) throw new ConfigError('KYC_WEBHOOK_TOKEN', 'a token of at least 16 characters', '[too short]');
  return token;
}

export function readIdentityConfig(env: Env): IdentityConfig {
  const base = readSubgraphBaseConfig(env, 'identity', 4002, {
    upstreamUrls: ['DIRECTORY_URL', 'KYC_URL', 'SANCTIONS_URL'],
    production: [...auditProductionSettings(env), required('KYC_WEBHOOK_TOKEN', 'the token the KYC provider signs its webhooks with')],
  });
  return {
    ...base,
    audit: readAuditConfig(env, 'identity'),
    directoryUrl: readUpstreamUrl(env, base.upstreamBaseUrl, 'DIRECTORY_URL', '/directory/v1'),
    kycUrl: readUpstreamUrl(env, base.upstreamBaseUrl, 'KYC_URL', '/kyc/v3.6'),
    sanctionsUrl: readUpstreamUrl(env, base.upstreamBaseUrl, 'SANCTIONS_URL', '/sanctions/v1'),
    kycWebhookToken: readWebhookToken(env),
    sanctionsMinScore: readInt(env, 'SANCTIONS_MIN_SCORE', 85, { min: 50, max: 100 }),
    kycTenants: tenantsWithKey(readCredentialsFile(env), 'kyc'),
  };
}
