// Builds and starts one subgraph: its schema file and resolvers as a Federation 2 subgraph, every request refused
// unless it carries the gateway's internal token for this subgraph (`_service` and `_entities` included), one error
// formatter, no inline tracing, nothing sent to Apollo and no landing page (lib/server/offline.ts), and the shared
// HTTP edge. Closing it stops the server, then closes what it owns (its cache, then any store), so no request in
// flight finds its cache gone. Its metrics (lib/metrics) are served on their own listener when one is configured, and
// /readyz answers 200 only while its cache's store answers (always, for the in-process store of development) and its
// audit sink, when it has one, is ready (it writes, has room, and its store answers). The metrics may be made first (createSubgraphMetrics), so that the
// subgraph's upstream clients report to them. Each request's SERVER span joins the trace of the gateway's fetch that
// made it (lib/telemetry).
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { type DocumentNode, type GraphQLFormattedError, parse } from 'graphql';
import type { AuditSink } from '../audit/sink.js';
import { INTERNAL_TOKEN_HEADER, InternalTokenError, type VerifiedInternalToken, verifyInternalToken } from '../auth/internalToken.js';
import type { Principal } from '../auth/principal.js';
import type { Cache } from '../cache/index.js';
import { fromRoot } from '../config/paths.js';
import { DEADLINE_HEADER, DeadlineApolloServer, subgraphDeadline } from '../deadline/index.js';
import { formatError, unauthenticated } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import {
  createMetricsPlugin,
  createServiceMetrics,
  readOperationNames,
  type ServiceMetrics,
  type ServiceMetricsOptions,
  startMetricsListener,
} from '../metrics/index.js';
import { createErrorLoggingPlugin } from '../server/errorLogging.js';
import { type RawRoute, type RunningServer, startGraphQLHttpServer } from '../server/graphqlHttp.js';
import type { Stoppable } from '../server/lifecycle.js';
import { offlinePlugins } from '../server/offline.js';
import { createUpstreamAuditor, type UpstreamAuditor } from './audit.js';
import type { SubgraphBaseConfig } from './config.js';
import { enforceFieldAccess } from './fieldAccess.js';
import { createPartialErrorsPlugin, type PartialErrorsContext } from './partialErrors.js';

/**
 * The resolver map buildSubgraphSchema accepts, read off its public signature: the package's entry point does not
 * export the type, and its dist/ paths are no API. Each subgraph types its map with its generated `Resolvers`.
 */
type SchemaModule = Extract<Parameters<typeof buildSubgraphSchema>[0], readonly unknown[]>[number];
export type SubgraphResolverMap = NonNullable<Extract<SchemaModule, { readonly typeDefs: DocumentNode }>['resolvers']>;

export interface SubgraphContext extends PartialErrorsContext {
  readonly principal: Principal;
  readonly requestId: string;
  readonly logger: Logger;
  /** Records this request's regulated upstream calls (lib/subgraph/audit.ts); refuses them without a sink. */
  readonly audit: UpstreamAuditor;
}

export interface SubgraphOptions<TContext extends SubgraphContext> {
  /** The subgraph's name, as in the supergraph and in the audience of its internal tokens. */
  readonly name: string;
  /** The subgraph's generated `Resolvers` for its context type (subgraphs/<name>/generated/resolvers.ts). */
  readonly resolvers: SubgraphResolverMap;
  /** Where it listens and its key for the gateway's internal tokens. */
  readonly config: Pick<SubgraphBaseConfig, 'host' | 'port' | 'internalTokenKey' | 'maxRequestMs' | 'metrics'>;
  readonly logger: Logger;
  /** The subgraph's cache: handed back (tests read and share it) and closed once the server has stopped. */
  readonly cache: Cache;
  /** The audit sink of a subgraph that makes regulated upstream calls: opened by its caller, owned from here on (it
   * is closed, flushing its queue, after the server and the other resources). */
  readonly audit?: AuditSink;
  /** Other process-wide resources the subgraph owns (a payment or consent store), closed in order after the cache. */
  readonly closeAfter?: readonly Stoppable[];
  /** Plain HTTP routes beside /graphql (webhook endpoints); they do their own authentication. */
  readonly routes?: readonly RawRoute[];
  /** Adds the subgraph's own per-request state (loaders) to the verified base context. */
  readonly createContext: (base: SubgraphContext) => TContext;
  /** Its metrics, when made before its services (createSubgraphMetrics with this cache); else made here. */
  readonly metrics?: ServiceMetrics;
}

/** What a test may hand a subgraph beyond its configuration. */
export interface SubgraphRuntime {
  /** The time its cache measures freshness by (Date.now unless given). */
  readonly clock?: () => number;
}

export interface RunningSubgraph extends RunningServer {
  readonly cache: Cache;
  /** The subgraph's own metrics registry (tests read it); served only at metricsUrl. */
  readonly metrics: ServiceMetrics;
  /** GET /metrics on the metrics listener; undefined when <NAME>_METRICS_PORT is unset. */
  readonly metricsUrl: string | undefined;
  /** The subgraph's audit sink, when it makes regulated upstream calls (tests flush it). */
  readonly audit: AuditSink | undefined;
}

/** How long /readyz waits for the cache's store before answering 503. */
const READY_TIMEOUT_MS = 1000;

export function loadSubgraphSchema(name: string) {
  return parse(readFileSync(fromRoot('subgraphs', name, 'schema.graphql'), 'utf8'));
}

/**
 * A subgraph's metrics: the contract's operation names as the `operation` label's bound (as the gateway's fetches
 * carry them), and its cache's counters and breaker read at each scrape. Made before the services, its `upstream`
 * observer goes to every UpstreamClient they build.
 */
export function createSubgraphMetrics(
  name: string,
  cache: Cache,
  /** What else the subgraph reports at a scrape: its audit trail, breakers of its own beside the cache's. */
  providers: Pick<ServiceMetricsOptions, 'audit' | 'breakers'> = {},
): ServiceMetrics {
  const { audit, breakers } = providers;
  return createServiceMetrics({
    service: name,
    operations: readOperationNames(fromRoot('schema', 'trusted-operations.json')),
    cacheMetrics: () => cache.metrics(),
    breakers: () => ({ ...breakers?.(), cache: cache.breakerState() }),
    ...(audit ? { audit } : {}),
  });
}

export async function startSubgraph<TContext extends SubgraphContext>(options: SubgraphOptions<TContext>): Promise<RunningSubgraph> {
  const typeDefs = loadSubgraphSchema(options.name);
  const schema = buildSubgraphSchema([{ typeDefs, resolvers: options.resolvers }]);
  const protectedFields = enforceFieldAccess(schema, typeDefs);
  if (protectedFields === 0) throw new Error(`${options.name}: its schema declares no access rules; refusing to serve unprotected`);
  // Every request runs under the gateway's deadline (x-fingraph-timeout-ms), capped at this subgraph's own maximum.
  const deadlineFor = (request: HTTPGraphQLRequest) => subgraphDeadline(request.headers.get(DEADLINE_HEADER), options.config.maxRequestMs);
  const metrics = options.metrics ?? createSubgraphMetrics(options.name, options.cache);
  const apollo = new DeadlineApolloServer<TContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // lib/server/lifecycle.ts owns SIGTERM and SIGINT: Apollo's own handler would re-send the signal after stopping,
    // which the lifecycle reads as a second signal and exits 1 instead of 0.
    stopOnTerminationSignals: false,
    // Only the gateway reaches a subgraph (every request needs its token), and it needs the SDL through `_service`.
    introspection: true,
    plugins: [
      ...offlinePlugins(),
      ApolloServerPluginInlineTraceDisabled(),
      createPartialErrorsPlugin<TContext>(),
      createErrorLoggingPlugin(options.logger),
      createMetricsPlugin<TContext>(metrics),
    ],
    deadlineFor,
  });
  const { host, port, internalTokenKey } = options.config;
  // The token is verified from the headers, before the body is read (a caller without one cannot make the subgraph
  // read a body); the context picks the result up here, per request.
  const admitted = new WeakMap<IncomingMessage, VerifiedInternalToken>();
  const server = await startGraphQLHttpServer<TContext>({
    apollo,
    logger: options.logger,
    service: options.name,
    // Only the gateway reaches a subgraph (every /graphql request needs its token): its traceparent is the parent.
    incomingTraceContext: 'join',
    host,
    port,
    ...(options.routes ? { routes: options.routes } : {}),
    admit(request, facts) {
      const header = request.headers[INTERNAL_TOKEN_HEADER];
      try {
        admitted.set(request, verifyInternalToken(internalTokenKey, options.name, typeof header === 'string' ? header : undefined));
      } catch (error) {
        options.logger.warn(
          { requestId: facts.requestId, reason: error instanceof InternalTokenError ? error.message : 'invalid' },
          'internal token refused',
        );
        throw unauthenticated();
      }
    },
    async context(request, facts) {
      const verified = admitted.get(request);
      // The edge always admits a /graphql request before building its context; without a token it never gets here.
      if (!verified) throw unauthenticated();
      const partialErrors: GraphQLFormattedError[] = [];
      return options.createContext({
        principal: verified.principal,
        requestId: verified.requestId,
        logger: options.logger.child({ requestId: verified.requestId }),
        audit: createUpstreamAuditor(
          options.audit,
          { principal: verified.principal, requestId: verified.requestId, traceId: facts.traceId },
          options.logger,
        ),
        partialErrors,
      });
    },
    logFields: ({ principal }) => ({ tenant: principal.tenant, sub: principal.sub }),
    // Not ready while the audit sink cannot write: regulated calls would be refused there anyway.
    ready: async () => (options.audit ? await options.audit.ready() : true) && (await options.cache.ready(READY_TIMEOUT_MS)),
    onRefused: (code) => metrics.refused(code),
  });
  const closeOwned = async () => {
    await options.cache.close();
    try {
      for (const resource of options.closeAfter ?? []) await resource.close();
    } finally {
      // Last: every request has ended, so every record it appended is in the queue this close flushes.
      await options.audit?.close();
    }
  };
  const metricsConfig = options.config.metrics;
  // A metrics port that cannot be listened on stops the start (lifecycle.ts names it), leaving nothing open behind.
  const listener = metricsConfig
    ? await startMetricsListener({ registry: metrics.registry, ...metricsConfig, logger: options.logger }).catch(async (error: unknown) => {
        await server.close();
        await closeOwned();
        throw error;
      })
    : undefined;
  return {
    ...server,
    cache: options.cache,
    metrics,
    metricsUrl: listener?.url,
    audit: options.audit,
    async close() {
      await server.close();
      await listener?.close();
      await closeOwned();
    },
  };
}
