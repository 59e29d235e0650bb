// Builds the credit subgraph on a given port (0 for tests) without owning the process.
import { createCache, MemoryStore, RedisStore, type CacheStore } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import { startSubgraph, type RunningSubgraph, type SubgraphRuntime } from '../../lib/subgraph/startSubgraph.js';
import type { CreditConfig } from './config.js';
import { ConsentStore } from './consents.js';
import { HardInquiries } from './hardInquiries.js';
import type { CreditContext } from './context.js';
import { createLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { createCreditServices } from './services.js';

export type CreditSubgraph = RunningSubgraph;

/**
 * Credit's own records (consents, recent HARD pulls) live in the same Redis as the cache when there is one; otherwise
 * in this process (see consents.ts).
 */
function createRecordStore(config: CreditConfig, logger: Logger): CacheStore {
  const { redis } = config;
  if (!redis) logger.warn('credit consents are kept in this process only (no Redis configured): they are lost on restart');
  return redis ? new RedisStore({ connection: redis, logger: logger.child({ component: 'consents' }) }) : new MemoryStore({ maxEntries: 100_000 });
}

export async function startCreditSubgraph(config: CreditConfig, logger: Logger, runtime: SubgraphRuntime = {}): Promise<CreditSubgraph> {
  const cache = createCache(config.cache, config.redis, logger.child({ component: 'cache' }), runtime.clock ? { cache: { clock: runtime.clock } } : {});
  const records = createRecordStore(config, logger);
  const consents = new ConsentStore(records, config.cache.prefix);
  if (!(await consents.ready(2000))) logger.warn('credit consent store not reachable yet: pulls that need consent are refused until it is');
  const services = createCreditServices(config, logger, cache, consents, new HardInquiries(records, config.cache.prefix));
  return startSubgraph<CreditContext>({
    name: 'credit', resolvers, config, logger, cache, closeAfter: [consents],
    createContext: (base) => ({ ...base, services, loaders: createLoaders(services, base.principal.tenant) }),
  });
}
