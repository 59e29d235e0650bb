// The spans FinGraph makes at its own edges (each request served, each upstream call, each cache look-up) and the
// trace context they carry across HTTP, through @opentelemetry/api alone: with no provider registered (tracing off),
// every call below is the api's no-op and no trace id exists. Attributes name services, providers, namespaces,
// methods, routes and statuses only; never a URL, a key, a token or anything else that could identify a person.
import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';

/** The instrumentation scope of every FinGraph span; which service made one is its SERVER ancestor's `fingraph.service`. */
export const TRACER_NAME = 'fingraph';

/** FinGraph's own attribute names (OpenTelemetry's semantic conventions for the rest). */
export const TraceAttribute = {
  SERVICE: 'fingraph.service',
  UPSTREAM_PROVIDER: 'fingraph.upstream.provider',
  CACHE_NAMESPACE: 'fingraph.cache.namespace',
  CACHE_OUTCOME: 'fingraph.cache.outcome',
  STORE: 'fingraph.store',
} as const;

// Looked up per span, not once at import: after a test's shutdown (trace.disable) the next span must find no provider.
const tracer = () => trace.getTracer(TRACER_NAME);

/** The active span's trace id, or undefined when tracing is off or no span is active. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/**
 * The active trace's id when it is being recorded (sampled), so a collector will have it: what a client is told.
 * An unsampled request still has a trace id (activeTraceId) for its log lines and audit record.
 */
export function recordedTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? spanContext.traceId : undefined;
}

/** What traceLogFields answers when no span is active: always this one frozen object, so a caller can skip it by identity. */
export const NO_TRACE_FIELDS: Readonly<Record<string, string>> = Object.freeze({});

/** `traceId` and `spanId` of the active span, for a log line; NO_TRACE_FIELDS (no allocation) when there is none. */
export function traceLogFields(): Readonly<Record<string, string>> {
  const span = trace.getActiveSpan();
  if (!span) return NO_TRACE_FIELDS;
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : NO_TRACE_FIELDS;
}

/** Writes the active trace context (W3C `traceparent`) into outgoing headers; nothing when tracing is off. */
export function injectTraceContext(headers: { set(name: string, value: string): void }): void {
  propagation.inject(context.active(), headers, { set: (carrier, name, value) => carrier.set(name, value) });
}

function failureKind(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'error';
}

/** Runs `work` in a span of its own under the active one, ending it when `work` settles (an error sets its status). */
export async function inSpan<T>(
  name: string,
  options: { readonly kind?: SpanKind; readonly attributes?: Attributes },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      // Only the kind of failure, its code (UPSTREAM_TIMEOUT, ECONNRESET) or class: its message may quote an upstream.
      span.setStatus({ code: SpanStatusCode.ERROR, message: failureKind(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** One upstream HTTP call: a CLIENT span named after the provider and method, never the URL (paths hold ids). */
export function upstreamSpan<T>(provider: string, method: string, work: (span: Span) => Promise<T>): Promise<T> {
  return inSpan(
    `upstream ${provider} ${method}`,
    { kind: SpanKind.CLIENT, attributes: { [TraceAttribute.UPSTREAM_PROVIDER]: provider, [ATTR_HTTP_REQUEST_METHOD]: method } },
    work,
  );
}

/** Records an HTTP answer's status on a CLIENT span: 5xx is the callee failing (4xx is an answer, often expected). */
export function recordClientStatus(span: Span, status: number): void {
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
}

/** How a service treats a caller's `traceparent`: join its trace, or start a new one that links to it. */
export type IncomingTraceContext = 'join' | 'link';

/** The SERVER span of one request at the HTTP edge, or a stand-in that does nothing when it is not traced. */
export interface EdgeSpan {
  /** The trace id, for RequestFacts, audit records and the response; undefined when tracing is off. */
  readonly traceId: string | undefined;
  /** Runs `work` with this span active, so every span and log line of the request's async work belongs to it. */
  within<T>(work: () => T): T;
  /** Ends the span with the status the client was answered with (499 for a client gone before any answer). */
  end(status: number): void;
}

const untraced: EdgeSpan = { traceId: undefined, within: (work) => work(), end: () => undefined };

const headerGetter: TextMapGetter<Readonly<Record<string, string | string[] | undefined>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

export interface EdgeRequest {
  readonly service: string;
  readonly method: string;
  /** The route as the code names it (`/graphql`, a webhook path); undefined for a path we do not serve, never recorded. */
  readonly route: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly incoming: IncomingTraceContext;
}

/**
 * Starts the SERVER span of a request. With `join`, a valid `traceparent` makes it the caller's child (subgraphs: only
 * the gateway reaches them). With `link`, every request starts its own trace and a caller's context becomes a link
 * only (the public gateway: a client cannot choose our trace ids, merge its requests into another's trace, or switch
 * sampling off by sending `sampled=0`, and support still finds the client's trace through the link).
 */
export function startEdgeSpan(request: EdgeRequest): EdgeSpan {
  const callerContext: Context = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
  const caller = trace.getSpanContext(callerContext);
  const links: Link[] = request.incoming === 'link' && caller && isSpanContextValid(caller) ? [{ context: caller }] : [];
  const parent = request.incoming === 'join' ? callerContext : ROOT_CONTEXT;
  // Any other token a client sends as its method is `_OTHER`, as OpenTelemetry's HTTP conventions say.
  const method = knownMethods.has(request.method) ? request.method : '_OTHER';
  const span = tracer().startSpan(
    request.route ? `${method} ${request.route}` : method,
    {
      kind: SpanKind.SERVER,
      root: request.incoming === 'link',
      links,
      attributes: {
        [TraceAttribute.SERVICE]: request.service,
        [ATTR_HTTP_REQUEST_METHOD]: method,
        ...(request.route ? { [ATTR_HTTP_ROUTE]: request.route } : {}),
      },
    },
    parent,
  );
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return untraced;
  const active = trace.setSpan(parent, span);
  return {
    traceId: spanContext.traceId,
    within: (work) => context.with(active, work),
    end(status) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      // For a server, 4xx is the client's mistake and leaves the status unset (OpenTelemetry's HTTP conventions).
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/** The stand-in for a request that is not traced (liveness and readiness probes would only flood the collector). */
export function untracedEdge(): EdgeSpan {
  return untraced;
}
