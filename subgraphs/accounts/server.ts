// Builds the accounts subgraph on a given port (0 for tests) without owning the process.
import type { Logger } from '../../lib/logging/logger.js';
import type { RunningServer } from '../../lib/server/graphqlHttp.js';
import { startSubgraph } from '../../lib/subgraph/startSubgraph.js';
import type { AccountsConfig } from './config.js';
import type { AccountsContext } from './context.js';
import { createLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { createAccountsServices } from './services.js';

export async function startAccountsSubgraph(config: AccountsConfig, logger: Logger): Promise<RunningServer> {
  const services = createAccountsServices(config, logger);
  return startSubgraph<AccountsContext>({
    name: 'accounts',
    resolvers,
    internalKey: config.internalTokenKey,
    host: config.host,
    port: config.port,
    logger,
    createContext: (base) => ({ ...base, services, loaders: createLoaders(services, base.principal.tenant) }),
  });
}
