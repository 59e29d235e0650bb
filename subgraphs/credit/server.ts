// Builds the credit subgraph on a given port (0 for tests) without owning the process.
import { openAuditSink } from '../../lib/audit/open.js';
import { createCache } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import { createRecordStore } from '../../lib/records/index.js';
import { createSubgraphMetrics, type RunningSubgraph, type SubgraphRuntime, startSubgraph } from '../../lib/subgraph/startSubgraph.js';
import type { CreditConfig } from './config.js';
import { ConsentStore } from './consents.js';
import type { CreditContext } from './context.js';
import { HardInquiries } from './hardInquiries.js';
import { createLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { createCreditServices } from './services.js';

export type CreditSubgraph = RunningSubgraph;

export async function startCreditSubgraph(config: CreditConfig, logger: Logger, runtime: SubgraphRuntime = {}): Promise<CreditSubgraph> {
  const cache = createCache(
    config.cache,
    config.redis,
    logger.child({ component: 'cache' }),
    runtime.clock ? { cache: { clock: runtime.clock } } : {},
  );
  // Consents and HARD-inquiry marks must not be lost: on the record store (never evicting), not on the cache.
  const records = createRecordStore(config.redis, logger.child({ component: 'records' }), 'credit consents and HARD-inquiry marks');
  const consents = new ConsentStore(records, config.cache.prefix);
  if (!(await consents.ready(2000))) logger.warn('credit consent store not reachable yet: pulls that need consent are refused until it is');
  const audit = await openAuditSink(config.audit, logger.child({ component: 'audit' }));
  const metrics = createSubgraphMetrics('credit', cache, { audit: () => audit });
  const services = createCreditServices(config, logger, cache, consents, new HardInquiries(records, config.cache.prefix), metrics.upstream);
  return startSubgraph<CreditContext>({
    name: 'credit',
    resolvers,
    config,
    logger,
    cache,
    metrics,
    closeAfter: [consents],
    audit,
    createContext: (base) => ({ ...base, services, loaders: createLoaders(services, base.principal.tenant) }),
  });
}
