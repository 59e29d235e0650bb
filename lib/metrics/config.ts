// Where a service serves /metrics: `<SERVICE>_METRICS_PORT` (off when unset: a service never opens a port nobody
// configured) on `METRICS_HOST` (127.0.0.1 unless set, so only the host's own scraper reaches it).
import { type Env, readOptionalString, readPort, readString } from '../config/env.js';

export interface MetricsConfig {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
}

/** The metrics listener's settings for a service whose variables start with `prefix` (GATEWAY, ACCOUNTS, ...). */
export function readMetricsConfig(env: Env, prefix: string): MetricsConfig | undefined {
  const variable = `${prefix}_METRICS_PORT`;
  if (readOptionalString(env, variable) === undefined) return undefined;
  return { host: readString(env, 'METRICS_HOST', '127.0.0.1'), port: readPort(env, variable, 0) };
}
