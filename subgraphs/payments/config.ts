// The payments subgraph's configuration, read once from the environment and validated at start-up.
import type { Env } from '../../lib/config/env.js';
import { readSubgraphBaseConfig, type SubgraphBaseConfig } from '../../lib/subgraph/config.js';

export type PaymentsConfig = SubgraphBaseConfig;

export function readPaymentsConfig(env: Env): PaymentsConfig {
  return readSubgraphBaseConfig(env, 'payments', 4003);
}
