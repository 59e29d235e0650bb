// Builds the payments subgraph on a given port (0 for tests) without owning the process: the GraphQL endpoint and the
// providers' webhook endpoints (POST /webhooks/processor, /webhooks/transfers) on one listener.
import { openAuditSink } from '../../lib/audit/open.js';
import { createCache } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import { createSubgraphMetrics, type RunningSubgraph, startSubgraph } from '../../lib/subgraph/startSubgraph.js';
import type { PaymentsConfig } from './config.js';
import type { PaymentsContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import { createPaymentStore, createPaymentsServices } from './services.js';
import { RedisPaymentStore } from './store/redisPaymentStore.js';
import { webhookRoutes } from './webhooks/index.js';

export type PaymentsSubgraph = RunningSubgraph;

export async function startPaymentsSubgraph(config: PaymentsConfig, logger: Logger): Promise<PaymentsSubgraph> {
  const cache = createCache(config.cache, config.redis, logger.child({ component: 'cache' }));
  const store = createPaymentStore(config, logger.child({ component: 'payment-store' }));
  // Not fatal: until Redis answers, payments are refused (never made unprotected) and reads are unavailable.
  if (store instanceof RedisPaymentStore) await store.ready(2000);
  const audit = await openAuditSink(config.audit, logger.child({ component: 'audit' }));
  const metrics = createSubgraphMetrics('payments', cache, { audit: () => audit });
  const services = createPaymentsServices(config, logger, cache, store, metrics.upstream);
  return startSubgraph<PaymentsContext>({
    name: 'payments',
    resolvers,
    config,
    logger,
    cache,
    metrics,
    closeAfter: [store],
    audit,
    routes: webhookRoutes(services),
    createContext: (base) => ({ ...base, services }),
  });
}
