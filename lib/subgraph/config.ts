// What every subgraph reads the same way: where it listens, its key for the gateway's internal tokens, where its
// upstreams are and the tenants' credentials for them, its Redis (one, for the cache and any records) and its cache.
// Each subgraph adds its own settings on top.
// The sandbox's address and its committed credentials are development conveniences: outside development both must
// be configured (lib/config/mode.ts), and the committed credentials file is refused.
import { resolve } from 'node:path';
import { type CacheConfig, readCacheConfig } from '../cache/index.js';
import { ConfigError, type Env, readBase64Key, readInt, readOptionalString, readPort, readString, readUrl } from '../config/env.js';
import { isDevelopment, type ProductionSetting, required, requireProductionSettings } from '../config/mode.js';
import { fromRoot } from '../config/paths.js';
import { loadUpstreamCredentials, type UpstreamCredentials } from '../config/upstreamCredentials.js';
import { type MetricsConfig, readMetricsConfig } from '../metrics/index.js';
import { isRedisConfigured, type RedisConnection, readRedisConnection } from '../redis/index.js';

export interface SubgraphBaseConfig {
  readonly host: string;
  readonly port: number;
  /** This subgraph's key for verifying the gateway's internal tokens (<NAME>_INTERNAL_KEY). */
  readonly internalTokenKey: Buffer;
  /** The sandbox (or the providers' gateway) every upstream URL defaults under; undefined when each is configured. */
  readonly upstreamBaseUrl: string | undefined;
  readonly upstreamTimeoutMs: number;
  /** The furthest deadline this subgraph grants a request, whatever the gateway's header says (and without one). */
  readonly maxRequestMs: number;
  readonly credentials: UpstreamCredentials;
  /** The one Redis of this subgraph, for its cache and its records; undefined: in-process stores (development). */
  readonly redis: RedisConnection | undefined;
  readonly cache: CacheConfig;
  /** Where /metrics is served (<NAME>_METRICS_PORT, METRICS_HOST); undefined: no metrics listener. */
  readonly metrics: MetricsConfig | undefined;
}

const DEVELOPMENT_UPSTREAM = 'http://127.0.0.1:4100';
const DEVELOPMENT_CREDENTIALS = fromRoot('sandbox', 'credentials.dev.json');

export interface SubgraphSettings {
  /** The variables naming each upstream's URL: outside development, UPSTREAM_BASE_URL or every one of them. */
  readonly upstreamUrls: readonly string[];
  /** What this subgraph needs beyond the shared settings outside development. */
  readonly production?: readonly ProductionSetting[];
}

/** What every subgraph needs outside development; `<NAME>_INTERNAL_KEY` is required in every mode. */
export function sharedProductionSettings(env: Env, internalKey: string, upstreamUrls: readonly string[]): ProductionSetting[] {
  const redisGiven = isRedisConfigured(env);
  return [
    required(internalKey, "this subgraph's key for the gateway's internal tokens"),
    required('UPSTREAM_CREDENTIALS_FILE', "the tenants' upstream API keys"),
    { anyOf: [['UPSTREAM_BASE_URL'], upstreamUrls], what: 'where the upstream providers are' },
    ...(redisGiven ? [required('CACHE_ENCRYPTION_KEYS', "the cache's encryption keys, shared by every replica")] : []),
  ];
}

/** The base every upstream URL defaults under: the sandbox in development, only what is configured otherwise. */
export function readUpstreamBase(env: Env): string | undefined {
  return isDevelopment(env)
    ? readUrl(env, 'UPSTREAM_BASE_URL', DEVELOPMENT_UPSTREAM)
    : readOptionalString(env, 'UPSTREAM_BASE_URL') === undefined
      ? undefined
      : readUrl(env, 'UPSTREAM_BASE_URL');
}

/** An upstream's URL: its own variable, or its path under the base. */
export function readUpstreamUrl(env: Env, base: string | undefined, variable: string, path: string): string {
  return readUrl(env, variable, base === undefined ? undefined : `${base}${path}`);
}

/** The file of the tenants' upstream credentials; outside development the committed sandbox file is refused. */
export function readCredentialsFile(env: Env): string {
  const file = readString(env, 'UPSTREAM_CREDENTIALS_FILE', isDevelopment(env) ? DEVELOPMENT_CREDENTIALS : undefined);
  if (!isDevelopment(env) && resolve(file) === DEVELOPMENT_CREDENTIALS) {
    throw new ConfigError(
      'UPSTREAM_CREDENTIALS_FILE',
      "the platform's credentials (the sandbox's committed file is for development only)",
      file,
    );
  }
  return file;
}

export function readCredentials(env: Env): UpstreamCredentials {
  return loadUpstreamCredentials('UPSTREAM_CREDENTIALS_FILE', readCredentialsFile(env));
}

/** The furthest request deadline a subgraph grants (lib/deadline), whatever the gateway's header asks. */
export function readMaxRequestMs(env: Env): number {
  return readInt(env, 'SUBGRAPH_MAX_REQUEST_MS', 30_000, { min: 100, max: 120_000 });
}

/** Reads <NAME>_HOST, <NAME>_PORT, <NAME>_INTERNAL_KEY, <NAME>_METRICS_PORT and the shared upstream and cache settings. */
export function readSubgraphBaseConfig(env: Env, name: string, defaultPort: number, settings: SubgraphSettings): SubgraphBaseConfig {
  const prefix = name.toUpperCase();
  requireProductionSettings(env, [
    ...sharedProductionSettings(env, `${prefix}_INTERNAL_KEY`, settings.upstreamUrls),
    ...(settings.production ?? []),
  ]);
  return {
    host: readString(env, `${prefix}_HOST`, '127.0.0.1'),
    port: readPort(env, `${prefix}_PORT`, defaultPort),
    internalTokenKey: readBase64Key(env, `${prefix}_INTERNAL_KEY`),
    upstreamBaseUrl: readUpstreamBase(env),
    upstreamTimeoutMs: readInt(env, 'UPSTREAM_TIMEOUT_MS', 5000, { min: 50, max: 60_000 }),
    maxRequestMs: readMaxRequestMs(env),
    credentials: readCredentials(env),
    redis: readRedisConnection(env),
    cache: readCacheConfig(env),
    metrics: readMetricsConfig(env, prefix),
  };
}
