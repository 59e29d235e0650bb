// The gateway: @apollo/gateway inside @apollo/server, serving the committed supergraph, authenticating every request
// and removing the fields the caller may not see before any planning, and calling subgraphs with per-fetch internal
// tokens.

import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { RedisStore, StoreKeyValueCache } from '../lib/cache/index.js';
import { formatError } from '../lib/errors/index.js';
import type { Logger } from '../lib/logging/logger.js';
import { createErrorLoggingPlugin } from '../lib/server/errorLogging.js';
import { type RunningServer, startGraphQLHttpServer } from '../lib/server/graphqlHttp.js';
import { disableApolloTelemetry, offlinePlugins } from '../lib/server/offline.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { type AuthenticationOptions, createAuthentication } from './plugins/authentication/index.js';
import { createAuthorizationPlugin } from './plugins/authorization/index.js';
import { costLogFields, createCostPlugin, createRequestCostTally } from './plugins/cost/index.js';
import { createSubgraphDataSource } from './subgraphFetch.js';
import { prepareSupergraph } from './supergraph.js';

/** What a test may replace in a gateway it starts in-process: the clock the authentication plugin ages keys by. */
export type GatewayOptions = Pick<AuthenticationOptions, 'now'>;

export async function startGateway(config: GatewayConfig, logger: Logger, options: GatewayOptions = {}): Promise<RunningServer> {
  // Throws, and so stops the start, when the supergraph's access rules cannot be read or leave a field open by omission.
  const supergraph = prepareSupergraph(config.supergraphSdl);
  logger.info(
    {
      typeRules: supergraph.rules.types.size,
      fieldRules: supergraph.rules.fields.size,
      publicFields: [...supergraph.publicFields.keys()],
      mode: config.authorizationMode,
    },
    'access rules loaded',
  );

  // Before the constructor, which otherwise starts exporting host metrics to Apollo (lib/server/offline.ts).
  disableApolloTelemetry();
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.servedSdl,
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
  // Persisted queries on the shared Redis when there is one, so a hash registered through one replica works on all.
  const store = config.redis
    ? new RedisStore({ connection: config.redis, logger: logger.child({ component: 'apollo-cache' }) })
    : undefined;
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    cache: store ? new StoreKeyValueCache(store) : 'bounded',
    formatError,
    includeStacktraceInErrorResponses: false,
    // lib/server/lifecycle.ts owns SIGTERM and SIGINT: Apollo's own handler would re-send the signal after stopping,
    // which the lifecycle reads as a second signal and exits 1 instead of 0.
    stopOnTerminationSignals: false,
    // With a token, introspection follows the rules of any other query; without one, see allowAnonymousIntrospection.
    introspection: true,
    plugins: [
      ...offlinePlugins(),
      createAuthorizationPlugin({ rules: supergraph.rules, mode: config.authorizationMode, logger }),
      // Demand control: after authorisation (which has replaced the document with the one that will run by then).
      createCostPlugin({ rules: supergraph.costRules, ...config.cost, logger }),
      createErrorLoggingPlugin(logger),
    ],
  });
  const authentication = await createAuthentication({
    jwt: config.jwt,
    allowAnonymousIntrospection: config.allowAnonymousIntrospection,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  const server = await startGraphQLHttpServer<GatewayContext>({
    apollo,
    logger,
    host: config.host,
    port: config.port,
    admit: authentication.admit,
    context: async (request, facts, body) => ({ ...(await authentication.context(request, facts, body)), cost: createRequestCostTally() }),
    logFields: (context) => ({ ...authentication.logFields(context), ...costLogFields(context) }),
  });
  return {
    ...server,
    async close() {
      await server.close();
      await store?.close();
    },
  };
}
