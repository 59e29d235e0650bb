// Builds the credit subgraph on a given port (0 for tests) without owning the process.
import { createCache, MemoryStore, RedisStore } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import { startSubgraph, type RunningSubgraph } from '../../lib/subgraph/startSubgraph.js';
import type { CreditConfig } from './config.js';
import { ConsentStore } from './consents.js';
import type { CreditContext } from './context.js';
import { createLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { createCreditServices } from './services.js';

export type CreditSubgraph = RunningSubgraph;

/** Consents live in the same Redis as the cache when there is one; otherwise in this process (see consents.ts). */
function createConsentStore(config: CreditConfig, logger: Logger): ConsentStore {
  const { redis } = config.cache;
  const store = redis ? new RedisStore({ connection: redis, logger: logger.child({ component: 'consents' }) }) : new MemoryStore({ maxEntries: 100_000 });
  if (!redis) logger.warn('credit consents are kept in this process only (no Redis configured): they are lost on restart');
  return new ConsentStore(store, config.cache.prefix);
}

export async function startCreditSubgraph(config: CreditConfig, logger: Logger): Promise<CreditSubgraph> {
  const cache = createCache(config.cache, logger.child({ component: 'cache' }));
  const consents = createConsentStore(config, logger);
  if (!(await consents.ready(2000))) logger.warn('credit consent store not reachable yet: pulls that need consent are refused until it is');
  const services = createCreditServices(config, logger, cache, consents);
  return startSubgraph<CreditContext>({
    name: 'credit', resolvers, config, logger, cache, closeAfter: [consents],
    createContext: (base) => ({ ...base, services, loaders: createLoaders(services, base.principal.tenant) }),
  });
}
