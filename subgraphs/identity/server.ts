// Builds the identity subgraph on a given port (0 for tests) without owning the process.
import { createCache, type Cache } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import type { RunningServer } from '../../lib/server/graphqlHttp.js';
import { startSubgraph } from '../../lib/subgraph/startSubgraph.js';
import type { IdentityConfig } from './config.js';
import type { IdentityContext } from './context.js';
import { createLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { createIdentityServices } from './services.js';
import { kycWebhookRoute } from './webhooks/kyc.js';

export interface IdentitySubgraph extends RunningServer {
  readonly cache: Cache;
}

export async function startIdentitySubgraph(config: IdentityConfig, logger: Logger): Promise<IdentitySubgraph> {
  const cache = createCache(config.cache, logger.child({ component: 'cache' }));
  const services = createIdentityServices(config, logger, cache);
  const server = await startSubgraph<IdentityContext>({
    name: 'identity',
    resolvers,
    internalKey: config.internalTokenKey,
    host: config.host,
    port: config.port,
    logger,
    routes: [kycWebhookRoute({ token: config.kycWebhookToken, tenants: config.kycTenants, kyc: services.kyc, cache, logger })],
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
