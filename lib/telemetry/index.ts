// OpenTelemetry tracing (issue 15): its configuration, the process's provider, the spans at FinGraph's own edges, and
// the Apollo plugin that adds parse, validation and admission spans and the response's `extensions.traceId`.
export { readTracingConfig, type TracingConfig } from './config.js';
export { createTracingPlugin, type TracingPluginOptions } from './plugin.js';
export {
  activeTraceId,
  type EdgeRequest,
  type EdgeSpan,
  type IncomingTraceContext,
  injectTraceContext,
  inSpan,
  NO_TRACE_FIELDS,
  recordClientStatus,
  recordedTraceId,
  startEdgeSpan,
  TRACER_NAME,
  TraceAttribute,
  traceLogFields,
  untracedEdge,
  upstreamSpan,
} from './spans.js';
export { startProcessTracing, startTracing, type Tracing, type TracingOptions } from './tracing.js';
