// Builds the accounts subgraph on a given port (0 for tests) without owning the process.
import { createCache, type Cache } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import type { RunningServer } from '../../lib/server/graphqlHttp.js';
import { startSubgraph } from '../../lib/subgraph/startSubgraph.js';
import type { AccountsConfig } from './config.js';
import type { AccountsContext } from './context.js';
import { createLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { createAccountsServices } from './services.js';

export interface AccountsSubgraph extends RunningServer {
  readonly cache: Cache;
}

export async function startAccountsSubgraph(config: AccountsConfig, logger: Logger): Promise<AccountsSubgraph> {
  const cache = createCache(config.cache, logger.child({ component: 'cache' }));
  const services = createAccountsServices(config, logger, cache);
  const server = await startSubgraph<AccountsContext>({
    name: 'accounts',
    resolvers,
    internalKey: config.internalTokenKey,
    host: config.host,
    port: config.port,
    logger,
    createContext: (base) => ({ ...base, services, loaders: createLoaders(services, base.principal.tenant) }),
  });
  return {
    ...server,
    cache,
    async close() {
      await server.close();
      await cache.close();
    },
  };
}
