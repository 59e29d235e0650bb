// The credit subgraph's configuration, read once from the environment and validated at start-up.
import { type AuditConfig, auditProductionSettings, readAuditConfig } from '../../lib/audit/config.js';
import { type Env, readEnum } from '../../lib/config/env.js';
import { required } from '../../lib/config/mode.js';
import { REDIS_SETTING } from '../../lib/redis/index.js';
import { readSubgraphBaseConfig, readUpstreamUrl, type SubgraphBaseConfig } from '../../lib/subgraph/config.js';
import type { ScoreModel } from './domain.js';

export interface CreditConfig extends SubgraphBaseConfig {
  /** Where bureau pulls and consents are audited (AUDIT_*, lib/audit/config.ts). */
  readonly audit: AuditConfig;
  /** The bureau's API base (Experian's consumer credit profile API, or the sandbox's). */
  readonly bureauUrl: string;
  /** The customer directory, to learn which customers exist in the tenant. */
  readonly directoryUrl: string;
  /** The score model `creditScore` and reports ask the bureau for. */
  readonly scoreModel: ScoreModel;
}

export function readCreditConfig(env: Env): CreditConfig {
  // Consents and HARD-inquiry marks must outlive a replica and be seen by all of them: Redis outside development.
  const base = readSubgraphBaseConfig(env, 'credit', 4004, {
    upstreamUrls: ['BUREAU_URL', 'DIRECTORY_URL'],
    production: [
      ...auditProductionSettings(env),
      { ...REDIS_SETTING, what: "a Redis for the customers' credit consents, shared by every replica" },
      required('CACHE_ENCRYPTION_KEYS', "the cache's encryption keys, shared by every replica"),
    ],
  });
  return {
    ...base,
    audit: readAuditConfig(env, 'credit'),
    bureauUrl: readUpstreamUrl(env, base.upstreamBaseUrl, 'BUREAU_URL', '/bureau'),
    directoryUrl: readUpstreamUrl(env, base.upstreamBaseUrl, 'DIRECTORY_URL', '/directory/v1'),
    scoreModel: readEnum(env, 'CREDIT_SCORE_MODEL', ['FICO_8', 'VANTAGESCORE_4'], 'FICO_8'),
  };
}
