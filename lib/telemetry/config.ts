// Where a service sends its traces: `TRACING_OTLP_ENDPOINT`, an OTLP/HTTP collector, and what share of requests the
// gateway records (`TRACING_SAMPLE_RATIO`). Unset endpoint means tracing is off in every mode (no exporter, no span
// leaves the process): like metrics, tracing is something an operator asks for.
import { ConfigError, type Env, readOptionalString, readUrl } from '../config/env.js';

export interface TracingConfig {
  /** The collector's OTLP/HTTP traces URL; a bare origin gets OTLP's standard `/v1/traces` path. */
  readonly endpoint: string;
  /** The share of new traces recorded, 0 to 1 (default 1: every request); a subgraph follows its caller's decision. */
  readonly sampleRatio: number;
}

/** OTLP/HTTP's path for traces, added when the variable names only the collector (`http://collector:4318`). */
const TRACES_PATH = '/v1/traces';

function readSampleRatio(env: Env): number {
  const value = readOptionalString(env, 'TRACING_SAMPLE_RATIO');
  if (value === undefined) return 1;
  const ratio = /^(0|1|0?\.\d+|1\.0*)$/.test(value) ? Number(value) : Number.NaN;
  if (!(ratio >= 0 && ratio <= 1)) throw new ConfigError('TRACING_SAMPLE_RATIO', 'a decimal from 0 to 1', value);
  return ratio;
}

/**
 * The tracing settings, or undefined when tracing is off. Only FinGraph's own variable switches it on: a standard
 * `OTEL_EXPORTER_OTLP_ENDPOINT` left in a shared environment for another program must not start shipping our spans.
 * A value that is not an http(s) URL, or a ratio outside 0–1, stops the start (ConfigError, exit 78 through loadOrExit).
 */
export function readTracingConfig(env: Env): TracingConfig | undefined {
  if (env.TRACING_OTLP_ENDPOINT === undefined || env.TRACING_OTLP_ENDPOINT.trim() === '') return undefined;
  const url = new URL(readUrl(env, 'TRACING_OTLP_ENDPOINT'));
  if (url.pathname === '/' || url.pathname === '') url.pathname = TRACES_PATH;
  return { endpoint: url.toString(), sampleRatio: readSampleRatio(env) };
}
