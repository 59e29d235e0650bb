// Builds the identity subgraph on a given port (0 for tests) without owning the process: the GraphQL endpoint and the
// KYC provider's webhook endpoint on one listener.
import { openAuditSink } from '../../lib/audit/open.js';
import { createCache } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import { createSubgraphMetrics, type RunningSubgraph, startSubgraph } from '../../lib/subgraph/startSubgraph.js';
import type { IdentityConfig } from './config.js';
import type { IdentityContext } from './context.js';
import { createLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { createIdentityServices } from './services.js';
import { kycWebhookRoute } from './webhooks/kyc.js';

export type IdentitySubgraph = RunningSubgraph;

export async function startIdentitySubgraph(config: IdentityConfig, logger: Logger): Promise<IdentitySubgraph> {
  const cache = createCache(config.cache, config.redis, logger.child({ component: 'cache' }));
  const audit = await openAuditSink(config.audit, logger.child({ component: 'audit' }));
  const metrics = createSubgraphMetrics('identity', cache, { audit: () => audit });
  const services = createIdentityServices(config, logger, cache, metrics.upstream);
  return startSubgraph<IdentityContext>({
    name: 'identity',
    resolvers,
    config,
    logger,
    cache,
    metrics,
    audit,
    routes: [kycWebhookRoute({ token: config.kycWebhookToken, tenants: config.kycTenants, kyc: services.kyc, cache, logger })],
    createContext: (base) => ({ ...base, services, loaders: createLoaders(services, base.principal.tenant, base.audit) }),
  });
}
