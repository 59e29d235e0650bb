// The identity subgraph's configuration, read once from the environment and validated at start-up.
import type { Env } from '../../lib/config/env.js';
import { readSubgraphBaseConfig, type SubgraphBaseConfig } from '../../lib/subgraph/config.js';

export type IdentityConfig = SubgraphBaseConfig;

export function readIdentityConfig(env: Env): IdentityConfig {
  return readSubgraphBaseConfig(env, 'identity', 4002);
}
