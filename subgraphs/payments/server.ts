// Builds the payments subgraph on a given port (0 for tests) without owning the process.
import { createCache, type Cache } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import type { RunningServer } from '../../lib/server/graphqlHttp.js';
import { startSubgraph } from '../../lib/subgraph/startSubgraph.js';
import type { PaymentsConfig } from './config.js';
import type { PaymentsContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import { createPaymentsServices } from './services.js';

export interface PaymentsSubgraph extends RunningServer {
  readonly cache: Cache;
}

export async function startPaymentsSubgraph(config: PaymentsConfig, logger: Logger): Promise<PaymentsSubgraph> {
  const cache = createCache(config.cache, logger.child({ component: 'cache' }));
  const services = createPaymentsServices(config, logger, cache);
  const server = await startSubgraph<PaymentsContext>({
    name: 'payments',
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
