// The credit subgraph's configuration, read once from the environment and validated at start-up.
import type { Env } from '../../lib/config/env.js';
import { readSubgraphBaseConfig, type SubgraphBaseConfig } from '../../lib/subgraph/config.js';

export type CreditConfig = SubgraphBaseConfig;

export function readCreditConfig(env: Env): CreditConfig {
  return readSubgraphBaseConfig(env, 'credit', 4004);
}
