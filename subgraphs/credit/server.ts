// Builds the credit subgraph on a given port (0 for tests) without owning the process.
import { createCache, type Cache } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import type { RunningServer } from '../../lib/server/graphqlHttp.js';
import { startSubgraph } from '../../lib/subgraph/startSubgraph.js';
import type { CreditConfig } from './config.js';
import type { CreditContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import { createCreditServices } from './services.js';

export interface CreditSubgraph extends RunningServer {
  readonly cache: Cache;
}

export async function startCreditSubgraph(config: CreditConfig, logger: Logger): Promise<CreditSubgraph> {
  const cache = createCache(config.cache, logger.child({ component: 'cache' }));
  const services = createCreditServices(config, logger, cache);
  const server = await startSubgraph<CreditContext>({
    name: 'credit',
    resolvers,
    internalKey: config.internalTokenKey,
    host: config.host,
    port: config.port,
    logger,
    createContext: (base) => ({ ...base, services }),
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
