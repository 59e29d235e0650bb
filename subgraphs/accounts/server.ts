// Builds the accounts subgraph on a given port (0 for tests) without owning the process.
import { createCache } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import { createSubgraphMetrics, type RunningSubgraph, startSubgraph } from '../../lib/subgraph/startSubgraph.js';
import type { AccountsConfig } from './config.js';
import type { AccountsContext } from './context.js';
import { createLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { createAccountsServices } from './services.js';

export type AccountsSubgraph = RunningSubgraph;

export async function startAccountsSubgraph(config: AccountsConfig, logger: Logger): Promise<AccountsSubgraph> {
  // A load's lease outlasts the bank's deadline: a slow but healthy bank is still read by one replica, not by each.
  const cache = createCache(config.cache, config.redis, logger.child({ component: 'cache' }), {
    cache: { leaseMs: config.bankTimeoutMs + 1000 },
  });
  const metrics = createSubgraphMetrics('accounts', cache);
  const services = createAccountsServices(config, logger, cache, metrics.upstream);
  return startSubgraph<AccountsContext>({
    name: 'accounts',
    resolvers,
    config,
    logger,
    cache,
    metrics,
    createContext: (base) => ({ ...base, services, loaders: createLoaders(services, base.principal.tenant) }),
  });
}
