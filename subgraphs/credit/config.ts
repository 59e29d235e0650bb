// The credit subgraph's configuration, read once from the environment and validated at start-up.
import { readEnum, readUrl, type Env } from '../../lib/config/env.js';
import { readSubgraphBaseConfig, requireRedisInProduction, type SubgraphBaseConfig } from '../../lib/subgraph/config.js';
import type { ScoreModel } from './domain.js';

export interface CreditConfig extends SubgraphBaseConfig {
  /** The bureau's API base (Experian's consumer credit profile API, or the sandbox's). */
  readonly bureauUrl: string;
  /** The customer directory, to learn which customers exist in the tenant. */
  readonly directoryUrl: string;
  /** The score model `creditScore` and reports ask the bureau for. */
  readonly scoreModel: ScoreModel;
}

export function readCreditConfig(env: Env): CreditConfig {
  const base = readSubgraphBaseConfig(env, 'credit', 4004);
  requireRedisInProduction(env, base, 'the customers\' credit consents');
  return {
    ...base,
    bureauUrl: readUrl(env, 'BUREAU_URL', `${base.upstreamBaseUrl}/bureau`),
    directoryUrl: readUrl(env, 'DIRECTORY_URL', `${base.upstreamBaseUrl}/directory/v1`),
    scoreModel: readEnum(env, 'CREDIT_SCORE_MODEL', ['FICO_8', 'VANTAGESCORE_4'], 'FICO_8'),
  };
}
