// What every subgraph reads the same way: where it listens, its key for the gateway's internal tokens, where its
// upstreams are and the tenants' credentials for them, and its cache. Each subgraph adds its own settings on top.
import { readCacheConfig, type CacheConfig } from '../cache/index.js';
import { ConfigError, readBase64Key, readInt, readPort, readString, readUrl, type Env } from '../config/env.js';
import { fromRoot } from '../config/paths.js';
import { loadUpstreamCredentials, type UpstreamCredentials } from '../config/upstreamCredentials.js';

export interface SubgraphBaseConfig {
  readonly host: string;
  readonly port: number;
  /** This subgraph's key for verifying the gateway's internal tokens (<NAME>_INTERNAL_KEY). */
  readonly internalTokenKey: Buffer;
  /** The sandbox (or the providers' gateway) every upstream URL defaults under. */
  readonly upstreamBaseUrl: string;
  readonly upstreamTimeoutMs: number;
  readonly credentials: UpstreamCredentials;
  readonly cache: CacheConfig;
}

/**
 * For a subgraph whose own records (not a cache) live in Redis: in production there is no in-process fallback, which
 * would hold them in one replica only and lose them on restart.
 */
export function requireRedisInProduction(env: Env, base: SubgraphBaseConfig, what: string): void {
  if (env.NODE_ENV === 'production' && base.cache.redis === undefined) {
    throw new ConfigError('REDIS_URL', `a Redis (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES) for ${what}, shared by every replica`, undefined);
  }
}

/** Reads <NAME>_HOST, <NAME>_PORT, <NAME>_INTERNAL_KEY and the shared upstream and cache settings. */
export function readSubgraphBaseConfig(env: Env, name: string, defaultPort: number): SubgraphBaseConfig {
  const prefix = name.toUpperCase();
  const credentialsFile = readString(env, 'UPSTREAM_CREDENTIALS_FILE', fromRoot('sandbox', 'credentials.dev.json'));
  return {
    host: readString(env, `${prefix}_HOST`, '127.0.0.1'),
    port: readPort(env, `${prefix}_PORT`, defaultPort),
    internalTokenKey: readBase64Key(env, `${prefix}_INTERNAL_KEY`),
    upstreamBaseUrl: readUrl(env, 'UPSTREAM_BASE_URL', 'http://127.0.0.1:4100'),
    upstreamTimeoutMs: readInt(env, 'UPSTREAM_TIMEOUT_MS', 5000, { min: 50, max: 60_000 }),
    credentials: loadUpstreamCredentials('UPSTREAM_CREDENTIALS_FILE', credentialsFile),
    cache: readCacheConfig(env),
  };
}
