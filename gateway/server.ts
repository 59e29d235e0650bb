// The gateway: @apollo/gateway inside @apollo/server, serving the committed supergraph, authenticating every request
// and removing the fields the caller may not see before any planning, and calling subgraphs with per-fetch internal
// tokens. Its metrics (lib/metrics) go to their own listener when GATEWAY_METRICS_PORT is set (requests, subgraph
// fetches, rate-limit refusals, the breakers of its Redis users, the audit queue); /readyz answers 200 once the
// supergraph is loaded (Apollo Server started), while its audit sink can write and, with a Redis, while that Redis
// answers. Every API call leaves one audit record (plugins/audit/), written when the request ends at the edge.
// When tracing is on (lib/telemetry), each request is a new trace (a client's `traceparent` is only linked) and its
// id is in the answer.

import { ApolloGateway } from '@apollo/gateway';
import { openAuditSink } from '../lib/audit/open.js';
import type { AuditSink } from '../lib/audit/sink.js';
import { RedisStore, StoreKeyValueCache } from '../lib/cache/index.js';
import { DeadlineApolloServer } from '../lib/deadline/index.js';
import { formatError } from '../lib/errors/index.js';
import type { Logger } from '../lib/logging/logger.js';
import { createMetricsPlugin, createServiceMetrics, type ServiceMetrics, startMetricsListener } from '../lib/metrics/index.js';
import { createErrorLoggingPlugin } from '../lib/server/errorLogging.js';
import { type RunningServer, startGraphQLHttpServer } from '../lib/server/graphqlHttp.js';
import { disableApolloTelemetry, offlinePlugins } from '../lib/server/offline.js';
import { createTracingPlugin } from '../lib/telemetry/plugin.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { createGatewayAudit, createRequestAuditFacts } from './plugins/audit/index.js';
import { type AuthenticationOptions, createAuthentication } from './plugins/authentication/index.js';
import { createAuthorizationPlugin } from './plugins/authorization/index.js';
import { costLogFields, createCostPlugin, createRequestCostTally, operationCost } from './plugins/cost/index.js';
import { createHygienePlugin } from './plugins/hygiene/index.js';
import { createLimitsPlugin } from './plugins/limits/index.js';
import { createRateLimits } from './plugins/rateLimits/index.js';
import { createTrustedDocumentsPlugin, loadTrustedDocuments, manifestPersistedQueries } from './plugins/trustedDocuments/index.js';
import { createSubgraphDataSource } from './subgraphFetch.js';
import { prepareSupergraph } from './supergraph.js';

/** What a test may replace in a gateway it starts in-process: the clock the authentication plugin ages keys by (also the
 * audit records' `at`), and the in-process rate limiter's (Redis keeps its own time). */
export type GatewayOptions = Pick<AuthenticationOptions, 'now'> & { readonly rateLimitClock?: () => number };

export interface RunningGateway extends RunningServer {
  /** The gateway's own metrics registry; served only at metricsUrl. */
  readonly metrics: ServiceMetrics;
  /** GET /metrics on the metrics listener; undefined when GATEWAY_METRICS_PORT is unset. */
  readonly metricsUrl: string | undefined;
  /** The gateway's audit sink (its `queued` and `writeErrors` for metrics; tests flush it). */
  readonly audit: AuditSink;
}

/** How long /readyz waits for the gateway's Redis before answering 503. */
const READY_TIMEOUT_MS = 1000;

export async function startGateway(config: GatewayConfig, logger: Logger, options: GatewayOptions = {}): Promise<RunningGateway> {
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

  // Trusted documents: the manifest is read and checked against the served schema at start, or the gateway stops.
  const trusted = loadTrustedDocuments(config.trustedDocuments.manifestFile, supergraph.apiSchema);
  logger.info({ mode: config.trustedDocuments.mode, operations: trusted.size }, 'trusted documents loaded');

  // The operation label's bound: the trusted manifest's names (lib/metrics/operations.ts).
  const metrics = createServiceMetrics({
    service: 'gateway',
    operations: new Set(trusted.manifest.operations.map((operation) => operation.name)),
    // Read at each scrape, once the listener is up: both exist by then. Without Redis neither has a breaker.
    breakers: () => ({ 'apq-cache': store?.breakerState, 'rate-limit-store': rateLimits.breakerState() }),
    // Likewise opened before the listener; the sink's own `queued` and `writeErrors`.
    audit: () => sink,
  });

  // Before the constructor, which otherwise starts exporting host metrics to Apollo (lib/server/offline.ts).
  disableApolloTelemetry();
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.servedSdl,
    buildService: ({ name, url }) => {
      const target = config.subgraphUrls.get(name) ?? url;
      if (!target) throw new Error(`no URL for subgraph ${name}`);
      return createSubgraphDataSource(name, target, config.internalTokenSecret, (fetch) => metrics.subgraphFetch(fetch));
    },
    logger: {
      debug: () => undefined,
      info: (message: unknown) => logger.info({ component: 'apollo-gateway' }, String(message)),
      warn: (message: unknown) => logger.warn({ component: 'apollo-gateway' }, String(message)),
      error: (message: unknown) => logger.error({ component: 'apollo-gateway' }, String(message)),
    },
    // Its spans (gateway.request, gateway.plan, gateway.fetch, …) carry the operation name only: never the document
    // (literals in it may be ids) nor exceptions (their messages may quote a subgraph's answer). Apollo's defaults,
    // stated so an upgrade that changed them would not change what our traces hold.
    telemetry: { includeDocument: false, recordExceptions: false },
  });
  // Persisted queries on the shared Redis when there is one, so a hash registered through one replica works on all.
  const store = config.redis
    ? new RedisStore({ connection: config.redis, logger: logger.child({ component: 'apollo-cache' }) })
    : undefined;
  // GATEWAY_PROTECTIONS=off (development only, for bench/): the edge's issue-14 protections are not installed at all.
  const protect = config.protections === 'on';
  // Rate limits: charged before planning, on the same Redis (plugins/rateLimits/).
  const rateLimits = await createRateLimits({
    options: protect ? config.rateLimits : { ...config.rateLimits, enabled: false },
    redis: config.redis,
    logger: logger.child({ component: 'rate-limits' }),
    // Budgets are charged the demand-control estimate (the cost plugin runs before the limiter and records it without
    // an await), at least one unit, so that an operation priced at nothing (introspection, `__typename`) still counts.
    // An operation the cost plugin refuses (estimate over its maximum) runs nothing and is charged nothing.
    cost: (requestContext) => {
      const priced = operationCost(requestContext.contextValue);
      if (priced && priced.estimated > priced.max) return 0;
      return Math.max(1, priced?.estimated ?? 1);
    },
    ...(options.rateLimitClock ? { now: options.rateLimitClock } : {}),
    onRefused: (policies) => metrics.rateLimited(policies),
  });
  logger.info({ store: rateLimits.kind, replicas: config.rateLimits.replicas }, 'rate limits loaded');
  if (!protect) logger.warn('GATEWAY_PROTECTIONS=off: no shape limits, cost limit, rate limits or trusted documents (development only)');
  // Shape limits and request hygiene (issue 14): the edge checks each document before Apollo Server parses it.
  const limits = protect ? createLimitsPlugin(config.limits) : undefined;
  const hygiene = createHygienePlugin({ ...config.hygiene, checkSource: limits?.checkSource ?? (() => undefined), logger });
  const trustedMode = protect ? config.trustedDocuments.mode : 'off';
  const authentication = await createAuthentication({
    jwt: config.jwt,
    allowAnonymousIntrospection: config.allowAnonymousIntrospection,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  // The audit trail (issue 15): a store that cannot be opened stops the start, since no request may go unaudited.
  // Opened after the last await that could fail before the edge listens, so a failed start never leaves it open.
  const sink = await openAuditSink(config.audit, logger.child({ component: 'audit' })).catch(async (error: unknown) => {
    await store?.close();
    await rateLimits.close();
    throw error;
  });
  const clock = options.now;
  const audit = createGatewayAudit({
    sink,
    rules: supergraph.rules,
    whenFull: config.audit.whenFull,
    trustedProxyHops: config.rateLimits.trustedProxyHops,
    logger,
  });
  // Request deadline (lib/deadline): every request is answered within GATEWAY_REQUEST_TIMEOUT_MS of reaching Apollo.
  const apollo = new DeadlineApolloServer<GatewayContext>({
    gateway,
    cache: store ? new StoreKeyValueCache(store) : 'bounded',
    // Trusted-only: hashes are looked up in the manifest, never in (or written to) the shared APQ registry.
    ...(trustedMode === 'trusted-only' ? { persistedQueries: manifestPersistedQueries(trusted) } : {}),
    formatError,
    includeStacktraceInErrorResponses: false,
    // lib/server/lifecycle.ts owns SIGTERM and SIGINT: Apollo's own handler would re-send the signal after stopping,
    // which the lifecycle reads as a second signal and exits 1 instead of 0.
    stopOnTerminationSignals: false,
    // With a token, introspection follows the rules of any other query; without one, see allowAnonymousIntrospection.
    introspection: true,
    // Shape limits and request hygiene behind the edge's own checks: the parser stops at the token limit, CSRF
    // prevention stays on, batching only as configured, and no "Did you mean" in any validation error.
    ...(limits ? { parseOptions: limits.parseOptions } : {}),
    csrfPrevention: true,
    allowBatchedHttpRequests: hygiene.allowBatchedHttpRequests,
    hideSchemaDetailsFromClientErrors: true,
    plugins: [
      // First: its admission span covers every later plugin's didResolveOperation (lib/telemetry/plugin.ts).
      createTracingPlugin<GatewayContext>(),
      ...offlinePlugins(),
      // Then: an untrusted document is refused before any other plugin spends anything on it.
      createTrustedDocumentsPlugin({ mode: trustedMode, trusted, logger }),
      // Before authorisation: when both refuse an operation, the limit's refusal is the one answered.
      ...(limits ? [limits.apollo] : []),
      createAuthorizationPlugin({ rules: supergraph.rules, mode: config.authorizationMode, logger }),
      // Demand control: after authorisation (which has replaced the document with the one that will run by then).
      ...(protect ? [createCostPlugin({ rules: supergraph.costRules, ...config.cost, logger })] : []),
      // After authorisation (its refusals and rewritten document are in place) and before anything is planned.
      // AUDIT_SINK=off (development only): no facts are gathered either, so the benchmark's baseline has no trail at all.
      ...(config.audit.store.kind === 'off' ? [] : [audit.plugin]),
      rateLimits.plugin,
      createErrorLoggingPlugin(logger),
      createMetricsPlugin<GatewayContext>(metrics),
    ],
    deadlineFor: () => Date.now() + config.requestTimeoutMs,
  });
  const server = await startGraphQLHttpServer<GatewayContext>({
    apollo,
    logger,
    service: 'gateway',
    // The public edge: a client's traceparent is a link from a trace of our own, never the parent (startEdgeSpan).
    incomingTraceContext: 'link',
    host: config.host,
    port: config.port,
    admit: rateLimits.guardAdmit((request, facts) => {
      hygiene.admit(request, facts);
      authentication.admit(request, facts);
    }),
    context: rateLimits.guardContext(async (request, facts, body) => {
      hygiene.inspect(request, facts, body);
      return {
        ...(await authentication.context(request, facts, body)),
        cost: createRequestCostTally(),
        audit: createRequestAuditFacts(),
      };
    }),
    cors: hygiene.cors,
    maxBodyBytes: hygiene.maxBodyBytes,
    acceptRequestId: config.acceptClientRequestId,
    logFields: (context) => ({ ...authentication.logFields(context), ...costLogFields(context) }),
    // The supergraph is loaded before the edge listens (Apollo Server's start); what may come and go is the Redis.
    // Not ready while the audit sink cannot write: regulated requests would be refused there.
    ready: async () => (await sink.ready()) && (store ? await store.ready(READY_TIMEOUT_MS) : true),
    onRefused: (code) => metrics.refused(code),
    ...(config.audit.store.kind === 'off' ? {} : { onRequestEnd: audit.onRequestEnd.bind(audit) }),
    ...(clock ? { now: () => new Date(clock()) } : {}),
  }).catch(async (error: unknown) => {
    await sink.close();
    throw error;
  });
  rateLimits.attach(server.server);
  const listener = config.metrics
    ? await startMetricsListener({ registry: metrics.registry, ...config.metrics, logger }).catch(async (error: unknown) => {
        await server.close();
        await store?.close();
        await rateLimits.close();
        await sink.close();
        throw error;
      })
    : undefined;
  return {
    ...server,
    metrics,
    metricsUrl: listener?.url,
    audit: sink,
    async close() {
      await server.close();
      await listener?.close();
      await store?.close();
      await rateLimits.close();
      // Last: every request has ended, so every record is queued; close flushes them.
      await sink.close();
    },
  };
}
