// The accounts subgraph's configuration, read once from the environment and validated at start-up.

import { type CacheConfig, readCacheConfig } from '../../lib/cache/index.js';
import { ConfigError, type Env, readBase64Key, readInt, readOptionalString, readPort, readString } from '../../lib/config/env.js';
import { requireProductionSettings } from '../../lib/config/mode.js';
import type { UpstreamCredentials } from '../../lib/config/upstreamCredentials.js';
import { type MetricsConfig, readMetricsConfig } from '../../lib/metrics/index.js';
import { type RedisConnection, readRedisConnection } from '../../lib/redis/index.js';
import {
  readCredentials,
  readMaxRequestMs,
  readUpstreamBase,
  readUpstreamUrl,
  sharedProductionSettings,
} from '../../lib/subgraph/config.js';
import { defaultCachePolicy, type TtlOverrides } from './cachePolicy.js';
import { institutions } from './institutions.js';

export interface AccountsConfig {
  readonly host: string;
  readonly port: number;
  /** Base URL per bank id. */
  readonly bankUrls: ReadonlyMap<string, string>;
  readonly directoryUrl: string;
  readonly fxUrl: string;
  /** Each bank's own deadline in a fan-out: a slow bank is given up on, the others still count. */
  readonly bankTimeoutMs: number;
  readonly upstreamTimeoutMs: number;
  /** The furthest request deadline this subgraph grants (SUBGRAPH_MAX_REQUEST_MS, lib/deadline). */
  readonly maxRequestMs: number;
  readonly credentials: UpstreamCredentials;
  /** This subgraph's key for verifying the gateway's internal tokens. */
  readonly internalTokenKey: Buffer;
  readonly openBankingFinancialId: string | undefined;
  /** The Redis upstream reads are cached in (single, Sentinel, Cluster); undefined: the in-process default. */
  readonly redis: RedisConnection | undefined;
  readonly cache: CacheConfig;
  readonly cacheTtlOverrides: TtlOverrides;
  /** Where /metrics is served (ACCOUNTS_METRICS_PORT, METRICS_HOST); undefined: no metrics listener. */
  readonly metrics: MetricsConfig | undefined;
}

const namespaces = new Set([...Object.values(defaultCachePolicy).map((policy) => policy.namespace), 'fx-rates']);

/** "balances=15:300,accounts=600:3600": fresh and stale seconds per namespace. */
function readTtlOverrides(env: Env): TtlOverrides {
  const text = readOptionalString(env, 'CACHE_TTL_OVERRIDES');
  const overrides = new Map<string, { freshSeconds: number; staleSeconds: number }>();
  if (!text) return overrides;
  const expected = `namespace=fresh:stale seconds, comma-separated, namespaces ${[...namespaces].join(', ')}`;
  for (const item of text.split(',')) {
    const match = /^([a-z-]+)=(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(item.trim());
    if (!match || !namespaces.has(match[1] as string) || Number(match[2]) <= 0)
      throw new ConfigError('CACHE_TTL_OVERRIDES', expected, text);
    overrides.set(match[1] as string, { freshSeconds: Number(match[2]), staleSeconds: Number(match[3]) });
  }
  return overrides;
}

export function readAccountsConfig(env: Env): AccountsConfig {
  const bankVariable = (id: string) => `BANK_${id.toUpperCase()}_URL`;
  requireProductionSettings(
    env,
    sharedProductionSettings(env, 'ACCOUNTS_INTERNAL_KEY', [
      ...institutions.map((bank) => bankVariable(bank.id)),
      'DIRECTORY_URL',
      'FX_RATES_URL',
    ]),
  );
  const base = readUpstreamBase(env);
  const bankUrls = new Map(institutions.map((bank) => [bank.id, readUpstreamUrl(env, base, bankVariable(bank.id), bank.path)]));
  return {
    host: readString(env, 'ACCOUNTS_HOST', '127.0.0.1'),
    port: readPort(env, 'ACCOUNTS_PORT', 4001),
    bankUrls,
    directoryUrl: readUpstreamUrl(env, base, 'DIRECTORY_URL', '/directory/v1'),
    fxUrl: readUpstreamUrl(env, base, 'FX_RATES_URL', '/fx/ecb'),
    bankTimeoutMs: readInt(env, 'BANK_TIMEOUT_MS', 2500, { min: 50, max: 60_000 }),
    upstreamTimeoutMs: readInt(env, 'UPSTREAM_TIMEOUT_MS', 5000, { min: 50, max: 60_000 }),
    maxRequestMs: readMaxRequestMs(env),
    credentials: readCredentials(env),
    internalTokenKey: readBase64Key(env, 'ACCOUNTS_INTERNAL_KEY'),
    openBankingFinancialId: readOptionalString(env, 'OB_FINANCIAL_ID'),
    redis: readRedisConnection(env),
    cache: readCacheConfig(env),
    cacheTtlOverrides: readTtlOverrides(env),
    metrics: readMetricsConfig(env, 'ACCOUNTS'),
  };
}
