// One prom-client registry per service (never the process-wide default: a test stack runs five services in one
// process, and each must expose only its own figures), with the request, latency, error, subgraph-fetch, upstream,
// rate-limit, cache, breaker and audit metrics of issue 15.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState } from '../cache/breaker.js';
import type { NamespaceMetrics } from '../cache/metrics.js';
import { ErrorCode } from '../errors/index.js';
import type { UpstreamObservation } from '../http/upstreamClient.js';
import { type OperationNames, operationLabel } from './operations.js';

/** Seconds: 5 ms to 5 s, closer together above 0.5 s (about 1.5× apart) so that p99 near the alert thresholds (1.5 s
 * and 2 s, ops/prometheus/alerts.yml, each a bound here) is read between two close bounds, not interpolated across
 * a wide bucket. */
export const durationBuckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5];

/** How a GraphQL request ended: no error, data with errors, errors without data, or refused by the HTTP edge before
 * Apollo Server read its document (those carry the operation label `none`). */
export type Outcome = 'success' | 'partial' | 'error' | 'refused';

/** The operation label of a request refused before its document was read. */
export const REFUSED_OPERATION = 'none';

export interface ServiceMetricsOptions {
  /** The service's name, the `service` label of every metric (gateway, accounts, ...). */
  readonly service: string;
  /** The operation names that get a label of their own; any other is `other` (operations.ts). */
  readonly operations: OperationNames;
  /** The cache counters of the service's Cache, read at each scrape; none for a service without a cache. */
  readonly cacheMetrics?: () => Record<string, NamespaceMetrics>;
  /**
   * The service's circuit breakers by a fixed name (`cache`, `apq-cache`, `rate-limit-store`, later one per bank), read
   * at each scrape; a breaker reported as undefined (an in-process store has none) is left out. None: no breaker gauge.
   */
  readonly breakers?: () => Readonly<Record<string, BreakerState | undefined>>;
  /** The audit trail's write queue, read at each scrape: its depth now, its failed writes so far. None: no audit metrics. */
  readonly audit?: () => AuditFigures;
}

/** What the audit trail reports at a scrape: records waiting to be written, failed writes since it started, records it
 * refused (events left with no record), and its queue's bound. */
export interface AuditFigures {
  readonly queued: number;
  readonly writeErrors: number;
  readonly dropped: number;
  readonly capacity: number;
}

/** How a gateway fetch to a subgraph ended: an answer used, a failure (status, transport, body), or the deadline. */
export type FetchOutcome = 'ok' | 'error' | 'timeout';

export interface FetchObservation {
  readonly subgraph: string;
  readonly outcome: FetchOutcome;
  readonly durationSeconds: number;
}

export interface RequestObservation {
  readonly operationName: string | undefined;
  readonly outcome: Outcome;
  readonly durationSeconds: number;
  /** The `extensions.code` of each error the response carried. */
  readonly errorCodes: readonly (string | undefined)[];
}

export interface ServiceMetrics {
  readonly registry: Registry;
  observe(request: RequestObservation): void;
  /** A request the HTTP edge refused with this code before Apollo Server saw it. */
  refused(code: string): void;
  /** One gateway fetch to a subgraph (gateway/subgraphFetch.ts). */
  subgraphFetch(fetch: FetchObservation): void;
  /** One upstream call (lib/http/upstreamClient.ts's `observe` option); a bound function, safe to pass around. */
  readonly upstream: (call: UpstreamObservation) => void;
  /** A request the rate limiter refused, once per budget (policy) that refused it. */
  rateLimited(policies: readonly string[]): void;
}

const knownCodes: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** An error code label: one of ours (a closed enum), else `other`, so a stray code cannot grow the series. */
function codeLabel(code: string | undefined): string {
  if (code === undefined) return ErrorCode.INTERNAL_SERVER_ERROR;
  return knownCodes.has(code) ? code : 'other';
}

/** The breaker gauge's value per state: ordered by severity, so `max` across replicas reads the worst. */
export const breakerStateValues: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** A counter whose value is copied from the cache's own counters when scraped (they are cumulative already). */
function cacheCounter(
  registry: Registry,
  name: string,
  help: string,
  service: string,
  read: () => Record<string, NamespaceMetrics>,
  field: keyof NamespaceMetrics,
) {
  return new Counter({
    name,
    help,
    labelNames: ['service', 'namespace'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [namespace, counters] of Object.entries(read())) this.inc({ service, namespace }, counters[field]);
    },
  });
}

export function createServiceMetrics(options: ServiceMetricsOptions): ServiceMetrics {
  const { service } = options;
  const registry = new Registry();
  const requests = new Counter({
    name: 'fingraph_requests_total',
    help: 'GraphQL requests by operation and outcome (success, partial, error, refused)',
    labelNames: ['service', 'operation', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'fingraph_request_duration_seconds',
    help: 'GraphQL request duration in seconds, from the request reaching Apollo Server to its response',
    labelNames: ['service', 'operation'] as const,
    buckets: [...durationBuckets],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'fingraph_errors_total',
    help: 'Errors in GraphQL responses by extensions.code',
    labelNames: ['service', 'code'] as const,
    registers: [registry],
  });
  const read = options.cacheMetrics;
  if (read) {
    cacheCounter(registry, 'fingraph_cache_hits_total', 'Cache reads served fresh, by namespace', service, read, 'hits');
    cacheCounter(registry, 'fingraph_cache_misses_total', 'Cache reads with no usable entry, by namespace', service, read, 'misses');
    cacheCounter(
      registry,
      'fingraph_cache_stale_served_total',
      'Cache reads served stale within grace, by namespace',
      service,
      read,
      'staleServed',
    );
  }
  const fetches = new Histogram({
    name: 'fingraph_subgraph_fetch_duration_seconds',
    help: 'Gateway fetches to a subgraph in seconds, by subgraph and outcome (ok, error, timeout)',
    labelNames: ['service', 'subgraph', 'outcome'] as const,
    buckets: [...durationBuckets],
    registers: [registry],
  });
  const upstreamCalls = new Histogram({
    name: 'fingraph_upstream_duration_seconds',
    help: 'Upstream API calls in seconds, by provider id and outcome (2xx, 3xx, 4xx, 5xx, unreachable, timeout)',
    labelNames: ['service', 'provider', 'outcome'] as const,
    buckets: [...durationBuckets],
    registers: [registry],
  });
  const rateLimitRefusals = new Counter({
    name: 'fingraph_rate_limit_refusals_total',
    help: 'Requests refused by the rate limiter, by the budget that refused them (tenant, client, ip, payments, credit-reports)',
    labelNames: ['service', 'policy'] as const,
    registers: [registry],
  });
  const breakers = options.breakers;
  if (breakers) {
    new Gauge({
      name: 'fingraph_breaker_state',
      help: 'Circuit breaker state by breaker: 0 closed, 1 half-open (next call probes), 2 open (calls refused)',
      labelNames: ['service', 'breaker'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [breaker, state] of Object.entries(breakers())) {
          if (state !== undefined) this.set({ service, breaker }, breakerStateValues[state]);
        }
      },
    });
  }
  const audit = options.audit;
  if (audit) {
    new Gauge({
      name: 'fingraph_audit_queue_depth',
      help: 'Audit records accepted and not yet written',
      labelNames: ['service'] as const,
      registers: [registry],
      collect() {
        this.set({ service }, audit().queued);
      },
    });
    new Counter({
      name: 'fingraph_audit_sink_errors_total',
      help: 'Failed writes to the audit sink since the service started',
      labelNames: ['service'] as const,
      registers: [registry],
      collect() {
        // The audit trail counts its own failures cumulatively; copied, not added, at each scrape.
        this.reset();
        this.inc({ service }, audit().writeErrors);
      },
    });
    new Counter({
      name: 'fingraph_audit_records_dropped_total',
      help: 'Audit records refused (queue full, sink closed or forked): events that left no record',
      labelNames: ['service'] as const,
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ service }, audit().dropped);
      },
    });
    new Gauge({
      name: 'fingraph_audit_queue_capacity',
      help: 'Most audit records the queue holds (AUDIT_QUEUE_MAX_RECORDS): queue depth over this is how full it is',
      labelNames: ['service'] as const,
      registers: [registry],
      collect() {
        this.set({ service }, audit().capacity);
      },
    });
  }
  return {
    registry,
    observe(request) {
      const operation = operationLabel(request.operationName, options.operations);
      requests.inc({ service, operation, outcome: request.outcome });
      duration.observe({ service, operation }, request.durationSeconds);
      for (const code of request.errorCodes) errors.inc({ service, code: codeLabel(code) });
    },
    refused(code) {
      requests.inc({ service, operation: REFUSED_OPERATION, outcome: 'refused' });
      errors.inc({ service, code: codeLabel(code) });
    },
    subgraphFetch(fetch) {
      fetches.observe({ service, subgraph: fetch.subgraph, outcome: fetch.outcome }, fetch.durationSeconds);
    },
    upstream(call) {
      upstreamCalls.observe({ service, provider: call.provider, outcome: call.outcome }, call.durationSeconds);
    },
    rateLimited(policies) {
      for (const policy of policies) rateLimitRefusals.inc({ service, policy });
    },
  };
}
