// The gateway: @apollo/gateway inside @apollo/server, serving the committed supergraph, authenticating every request
// and removing the fields the caller may not see before any planning, and calling subgraphs with per-fetch internal
// tokens.
import { ApolloServer } from '@apollo/server';
import { ApolloGateway } from '@apollo/gateway';
import { RedisStore, StoreKeyValueCache } from '../lib/cache/index.js';
import { formatError, unauthenticated } from '../lib/errors/index.js';
import type { Logger } from '../lib/logging/logger.js';
import { createErrorLoggingPlugin } from '../lib/server/errorLogging.js';
import { startGraphQLHttpServer, type RunningServer } from '../lib/server/graphqlHttp.js';
import { disableApolloTelemetry, offlinePlugins } from '../lib/server/offline.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { createAuthenticator, refusalBeforeBody, tokenOutsideHeader } from './plugins/authentication/index.js';
import { isIntrospectionOnly } from './plugins/authentication/introspection.js';
import { jwksKeyStore } from './plugins/authentication/jwksKeyStore.js';
import { pemKeyStore, type KeyStore } from './plugins/authentication/keyStore.js';
import { createAuthorizationPlugin } from './plugins/authorization/index.js';
import { createSubgraphDataSource } from './subgraphFetch.js';
import { prepareSupergraph } from './supergraph.js';

/** What a test may replace in a gateway it starts in-process. */
export interface GatewayOptions {
  /** The clock the JWKS key store ages its key set by, in milliseconds since the epoch; default Date.now. */
  readonly now?: () => number;
}

async function keyStoreFor(config: GatewayConfig, logger: Logger, options: GatewayOptions): Promise<KeyStore | undefined> {
  const source = config.jwt.keys;
  if (source.kind === 'pem') return pemKeyStore(source.files);
  if (source.kind === 'jwks') {
    const store = jwksKeyStore({
      url: source.url, refetchIntervalMillis: source.refetchIntervalMillis, maxAgeSeconds: source.maxAgeSeconds,
      graceSeconds: source.graceSeconds, timeoutMillis: 5000, logger, ...(options.now ? { now: options.now } : {}),
    });
    await store.refresh();
    return store;
  }
  return undefined;
}

export async function startGateway(config: GatewayConfig, logger: Logger, options: GatewayOptions = {}): Promise<RunningServer> {
  // Throws, and so stops the start, when the supergraph's access rules cannot be read or leave a field open by omission.
  const supergraph = prepareSupergraph(config.supergraphSdl);
  logger.info({ typeRules: supergraph.rules.types.size, fieldRules: supergraph.rules.fields.size, publicFields: [...supergraph.publicFields.keys()],
    mode: config.authorizationMode }, 'access rules loaded');

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
  const store = config.redis ? new RedisStore({ connection: config.redis, logger: logger.child({ component: 'apollo-cache' }) }) : undefined;
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
      createErrorLoggingPlugin(logger),
    ],
  });
  const keys = await keyStoreFor(config, logger, options);
  const authenticate = createAuthenticator({
    ...(keys ? { keys } : {}),
    ...(config.jwt.keys.kind === 'hmac' ? { hmacSecret: config.jwt.keys.secret } : {}),
    algorithms: config.jwt.algorithms,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    clockToleranceSeconds: config.jwt.clockToleranceSeconds,
    maxLifetimeSeconds: config.jwt.maxLifetimeSeconds,
    logger,
  });
  const server = await startGraphQLHttpServer<GatewayContext>({
    apollo, logger, host: config.host, port: config.port,
    admit(request, facts) {
      const reason = refusalBeforeBody(request, config.allowAnonymousIntrospection);
      if (reason === undefined) return;
      logger.info({ requestId: facts.requestId, reason }, 'authentication refused');
      throw unauthenticated();
    },
    async context(request, facts, body) {
      if (tokenOutsideHeader(request, body)) {
        logger.info({ requestId: facts.requestId, reason: 'token outside the Authorization header' }, 'authentication refused');
        throw unauthenticated();
      }
      if (!request.headers.authorization && config.allowAnonymousIntrospection && isIntrospectionOnly(body)) {
        return { principal: undefined, requestId: facts.requestId };
      }
      const principal = await authenticate(request, facts.requestId);
      facts.tenant = principal.tenant;
      facts.sub = principal.sub;
      return { principal, requestId: facts.requestId };
    },
  });
  return {
    ...server,
    async close() {
      await server.close();
      await store?.close();
    },
  };
}
