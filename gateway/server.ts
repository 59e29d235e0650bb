// The gateway: @apollo/gateway inside @apollo/server, serving the committed supergraph, authenticating every request
// before any planning, and calling subgraphs with per-fetch internal tokens.
import { ApolloServer } from '@apollo/server';
import { ApolloGateway } from '@apollo/gateway';
import { formatError } from '../lib/errors/index.js';
import type { Logger } from '../lib/logging/logger.js';
import { startGraphQLHttpServer, type RunningServer } from '../lib/server/graphqlHttp.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { createAuthenticator } from './plugins/authentication/index.js';
import { createSubgraphDataSource } from './subgraphFetch.js';

export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningServer> {
  const gateway = new ApolloGateway({
    supergraphSdl: config.supergraphSdl,
    buildService: ({ name, url }) => {
      const target = config.subgraphUrls.get(name) ?? url;
      if (!target) throw new Error(`no URL for subgraph ${name}`);
      return createSubgraphDataSource(name, target, config.internalTokenSecret);
    },
    logger: {
      debug: () => undefined,
      info: (message: unknown) => logger.info({ component: 'apollo-gateway' }, String(message)),
      warn: (message: unknown) => logger.warn({ component: 'apollo-gateway' }, String(message)),
      error: (message: unknown) => logger.error({ component: 'apollo-gateway' }, String(message)),
    },
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
  });
  const authenticate = createAuthenticator({ ...config.jwt, logger });
  return startGraphQLHttpServer<GatewayContext>({
    apollo, logger, host: config.host, port: config.port,
    async context(request, facts) {
      const principal = authenticate(request, facts.requestId);
      facts.tenant = principal.tenant;
      facts.sub = principal.sub;
      return { principal, requestId: facts.requestId };
    },
  });
}
