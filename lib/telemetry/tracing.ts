// Starts OpenTelemetry tracing for one process: a tracer provider registered with @opentelemetry/api (the same api
// 1.x @apollo/gateway emits its spans through), W3C trace context as the only propagator (no baggage: a client's
// baggage could carry anything into every subgraph's logs), AsyncLocalStorage so the active span follows a request's
// async work, and an exporter only when one is configured or handed in. Without either, nothing is registered and every
// span call in lib/telemetry is the api's no-op.
import { context, propagation, trace } from '@opentelemetry/api';
import { globalErrorHandler, setGlobalErrorHandler, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_NAMESPACE } from '@opentelemetry/semantic-conventions';
import { loadOrExit } from '../config/env.js';
import type { Logger } from '../logging/logger.js';
import type { Stoppable } from '../server/lifecycle.js';
import { readTracingConfig, type TracingConfig } from './config.js';

export interface TracingOptions {
  /** The process's service ("gateway", "accounts", …); its resource's `service.name` is `fingraph-<service>`. */
  readonly service: string;
  /** From readTracingConfig: spans are batched to this OTLP/HTTP collector. Undefined: no collector. */
  readonly config?: TracingConfig | undefined;
  /** An exporter to hand every span to at once (tests: an InMemorySpanExporter); wins over `config`. */
  readonly exporter?: SpanExporter;
}

export interface Tracing {
  /** Whether a provider was registered: false means the api's no-op tracer, no trace ids anywhere. */
  readonly enabled: boolean;
  /** Exports what is still buffered, then unregisters the provider, so the process is as if tracing never started. */
  shutdown(): Promise<void>;
  /** The server, stopping which also shuts tracing down after it (the last spans of a stop are exported too). */
  stopAfter(server: Stoppable): Stoppable;
}

function handle(enabled: boolean, shutdown: () => Promise<void>): Tracing {
  return {
    enabled,
    shutdown,
    stopAfter: (server) => ({
      async close() {
        await server.close();
        await shutdown();
      },
    }),
  };
}

const off = handle(false, async () => undefined);

const rootSampler = (ratio: number): Sampler => (ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio));

/**
 * A service process's tracing, from its environment (lib/telemetry/config.ts): off unless TRACING_OTLP_ENDPOINT is
 * set, and a value that is no http(s) URL stops the start with exit code 78 as any other setting does.
 */
export function startProcessTracing(service: string, logger: Logger): Tracing {
  const config = loadOrExit(service, () => readTracingConfig(process.env));
  const tracing = startTracing({ service, config });
  if (config) {
    // The collector's origin only: a path or query could hold a token some collectors take in the URL.
    logger.info({ collector: new URL(config.endpoint).origin }, 'tracing: spans exported by OTLP/HTTP');
    warnOnExportFailures(logger);
  }
  return tracing;
}

/** How often, at most, a failing export is logged: a collector down for an hour is 60 lines, not one per batch. */
const EXPORT_WARNING_INTERVAL_MS = 60_000;

/**
 * The SDK reports a failed export (the collector down or refusing) to OpenTelemetry's global error handler, which
 * otherwise says nothing. Requests are never affected; the log says that spans are being lost, with the failure's
 * class and code only (its message may name the collector's URL) and how many more failed since the last warning.
 */
function warnOnExportFailures(logger: Logger): void {
  let lastWarned = Number.NEGATIVE_INFINITY;
  let since = 0;
  setGlobalErrorHandler((error) => {
    const now = Date.now();
    if (now - lastWarned < EXPORT_WARNING_INTERVAL_MS) {
      since += 1;
      return;
    }
    const code = (error as { code?: unknown } | undefined)?.code;
    logger.warn(
      {
        failure: error instanceof Error ? error.name : typeof error,
        ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
        failuresSinceLastWarning: since,
      },
      'tracing: spans could not be exported to the collector',
    );
    lastWarned = now;
    since = 0;
  });
}

/** The provider this process registered; the api holds one global, so a second start is a mistake, said at once. */
let running: NodeTracerProvider | undefined;

export function startTracing(options: TracingOptions): Tracing {
  const exporter = options.exporter ?? (options.config ? new OTLPTraceExporter({ url: options.config.endpoint }) : undefined);
  if (!exporter) return off;
  if (running) throw new Error('tracing is already started in this process');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: `fingraph-${options.service}`, [ATTR_SERVICE_NAMESPACE]: 'fingraph' }),
    // Set here rather than left to OTEL_TRACES_SAMPLER: the gateway (a root span) records TRACING_SAMPLE_RATIO of its
    // requests (all by default, and always all with an exporter handed in), and each subgraph follows the decision its
    // caller sent in `traceparent`.
    sampler: new ParentBasedSampler({ root: rootSampler(options.exporter ? 1 : (options.config?.sampleRatio ?? 1)) }),
    // A collector is batched (a request never waits for an export); an exporter handed in sees each span as it ends.
    spanProcessors: [options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  running = provider;
  return handle(true, async () => {
    if (running !== provider) return;
    running = undefined;
    try {
      await flushWithin(provider, SHUTDOWN_TIMEOUT_MS);
    } catch (error) {
      // A collector that is down must not turn a clean stop into a failed one: the spans are lost, the log says so.
      globalErrorHandler(error instanceof Error ? error : new Error(String(error)));
    } finally {
      trace.disable();
      context.disable();
      propagation.disable();
    }
  });
}

/** The longest a stop waits for the last spans to reach the collector (the exporter retries a refused connection). */
const SHUTDOWN_TIMEOUT_MS = 5000;

async function flushWithin(provider: NodeTracerProvider, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('the last spans were not exported in time'), { name: 'ExportTimeout' })),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    await Promise.race([provider.shutdown(), late]);
  } finally {
    clearTimeout(timer);
  }
}
