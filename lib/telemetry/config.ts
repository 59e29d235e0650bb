// Where a service sends its traces: `TRACING_OTLP_ENDPOINT`, an OTLP/HTTP collector. Unset means tracing is off in
// every mode (no exporter, no span leaves the process): like metrics, tracing is something an operator asks for.
import { type Env, readUrl } from '../config/env.js';

export interface TracingConfig {
  /** The collector's OTLP/HTTP traces URL; a bare origin gets OTLP's standard `/v1/traces` path. */
  readonly endpoint: string;
}

/** OTLP/HTTP's path for traces, added when the variable names only the collector (`http://collector:4318`). */
const TRACES_PATH = '/v1/traces';

/**
 * The tracing settings, or undefined when tracing is off. Only FinGraph's own variable switches it on: a standard
 * `OTEL_EXPORTER_OTLP_ENDPOINT` left in a shared environment for another program must not start shipping our spans.
 * A value that is not an http(s) URL stops the start (ConfigError, exit 78 through loadOrExit).
 */
export function readTracingConfig(env: Env): TracingConfig | undefined {
  if (env.TRACING_OTLP_ENDPOINT === undefined || env.TRACING_OTLP_ENDPOINT.trim() === '') return undefined;
  const url = new URL(readUrl(env, 'TRACING_OTLP_ENDPOINT'));
  if (url.pathname === '/' || url.pathname === '') url.pathname = TRACES_PATH;
  return { endpoint: url.toString() };
}
