// The gateway's configuration, read once from the environment and validated at start-up.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type AuditConfig, auditProductionSettings, readAuditConfig } from '../lib/audit/config.js';
import {
  ConfigError,
  type Env,
  readBase64Key,
  readBoolean,
  readEnum,
  readInt,
  readOptionalString,
  readPort,
  readString,
  readUrl,
} from '../lib/config/env.js';
import { isDevelopment, required, requireProductionSettings } from '../lib/config/mode.js';
import { fromRoot } from '../lib/config/paths.js';
import { type MetricsConfig, readMetricsConfig } from '../lib/metrics/index.js';
import { type RedisConnection, readRedisConnection } from '../lib/redis/index.js';
import { subgraphs } from '../schema/subgraphs.js';
import type { Algorithm, JwtOptions, KeySource } from './plugins/authentication/options.js';
import { type CostLimits, readCostLimits } from './plugins/cost/options.js';
import { type HygieneOptions, readHygieneOptions } from './plugins/hygiene/index.js';
import { type LimitsOptions, readLimitsOptions } from './plugins/limits/index.js';
import { readRateLimitOptions } from './plugins/rateLimits/config.js';
import type { RateLimitOptions } from './plugins/rateLimits/options.js';
import { readTrustedDocumentsConfig, type TrustedDocumentsConfig } from './plugins/trustedDocuments/config.js';

/** A file of this name beside a key marks it as a development key, which only development accepts. */
export const DEVELOPMENT_KEYS_MARKER = 'DEVELOPMENT-KEYS-NOT-FOR-PRODUCTION';

export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly supergraphSdl: string;
  /** Subgraph name → URL, from SUBGRAPH_<NAME>_URL or the supergraph's default. */
  readonly subgraphUrls: ReadonlyMap<string, string>;
  /** The authentication plugin's own option type, read here from JWT_* (plugins/authentication/options.ts). */
  readonly jwt: JwtOptions;
  /** Master secret from which each subgraph's internal-token key is derived. */
  readonly internalTokenSecret: Buffer;
  /** Schema introspection without a token: development only (refused at start-up in any other mode). */
  readonly allowAnonymousIntrospection: boolean;
  /** Whether a client's x-request-id names its request (logs, audit records, subgraphs); else the gateway makes one. */
  readonly acceptClientRequestId: boolean;
  /** 'partial': refused fields are null with errors; 'reject': an operation asking for any refused field is refused. */
  readonly authorizationMode: 'partial' | 'reject';
  /** `off` (development only, GATEWAY_PROTECTIONS): no shape limits, cost limit, rate limits or trusted documents. */
  readonly protections: 'on' | 'off';
  /** Where Apollo Server's own cache (persisted queries) lives: Redis shared by every replica, or in-process. */
  readonly redis: RedisConnection | undefined;
  /** Request deadline: how long the gateway gives one request, passed on to each subgraph (lib/deadline). */
  readonly requestTimeoutMs: number;
  /** Trusted documents (plugins/trustedDocuments): the mode and the manifest file. */
  readonly trustedDocuments: TrustedDocumentsConfig;
  /** Budgets per tenant, client, IP, payments and bureau pulls (RATE_LIMIT_*, GATEWAY_REPLICAS; plugins/rateLimits/). */
  readonly rateLimits: RateLimitOptions;
  /** Shape limits (gateway/plugins/limits), from GATEWAY_MAX_DEPTH and the other GATEWAY_MAX_* of a document. */
  readonly limits: LimitsOptions;
  /** Request hygiene (gateway/plugins/hygiene): CORS_ORIGINS, GATEWAY_MAX_BATCH_SIZE, GATEWAY_MAX_BODY_BYTES. */
  readonly hygiene: HygieneOptions;
  /** Demand control's maxima: per operation, and per plan (plugins/cost/options.ts, COST_*). */
  readonly cost: CostLimits;
  /** Where /metrics is served (GATEWAY_METRICS_PORT, METRICS_HOST); undefined: no metrics listener. */
  readonly metrics: MetricsConfig | undefined;
  /** The gateway's audit trail (AUDIT_*, lib/audit/config.ts): one record per API call. */
  readonly audit: AuditConfig;
}

const asymmetric: readonly Algorithm[] = ['RS256', 'PS256', 'ES256'];

function readFile(variable: string, path: string, expected: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(variable, expected, path);
  }
}

function readKeySource(env: Env, production: boolean): KeySource {
  const files = readOptionalString(env, 'JWT_PUBLIC_KEY_FILES');
  const jwks = readOptionalString(env, 'JWT_JWKS_URL');
  const hmac = readOptionalString(env, 'JWT_HS256_SECRET');
  const given = [files, jwks, hmac].filter((value) => value !== undefined).length;
  if (given > 1) {
    throw new ConfigError(
      'JWT_PUBLIC_KEY_FILES',
      'one key source: JWT_PUBLIC_KEY_FILES, JWT_JWKS_URL or JWT_HS256_SECRET (HS256 never alongside asymmetric keys)',
      'several',
    );
  }
  if (hmac !== undefined) return { kind: 'hmac', secret: readBase64Key(env, 'JWT_HS256_SECRET', 32) };
  if (jwks !== undefined) {
    return {
      kind: 'jwks',
      url: readUrl(env, 'JWT_JWKS_URL'),
      refetchIntervalMillis: readInt(env, 'JWT_JWKS_REFETCH_INTERVAL_MS', 60_000, { min: 1000, max: 86_400_000 }),
      maxAgeSeconds: readInt(env, 'JWT_JWKS_MAX_AGE_SECONDS', 600, { min: 1, max: 86_400 }),
      graceSeconds: readInt(env, 'JWT_JWKS_GRACE_SECONDS', 3600, { min: 0, max: 86_400 }),
    };
  }
  if (production && files === undefined) {
    throw new ConfigError(
      'JWT_PUBLIC_KEY_FILES',
      'a key source outside development (JWT_PUBLIC_KEY_FILES, JWT_JWKS_URL or JWT_HS256_SECRET)',
      undefined,
    );
  }
  const list = (files ?? fromRoot('.keys', 'dev-jwt-public.pem'))
    .split(',')
    .map((file) => file.trim())
    .filter(Boolean);
  for (const file of list) {
    const pem = readFile(
      'JWT_PUBLIC_KEY_FILES',
      file,
      'readable PEM public key files, comma-separated (npm start creates a development one)',
    );
    if (!pem.includes('PUBLIC KEY')) throw new ConfigError('JWT_PUBLIC_KEY_FILES', 'PEM public keys', file);
    if (production && existsSync(join(dirname(file), DEVELOPMENT_KEYS_MARKER))) {
      throw new ConfigError(
        'JWT_PUBLIC_KEY_FILES',
        'a key of its own (development keys are accepted only when NODE_ENV=development)',
        file,
      );
    }
  }
  return { kind: 'pem', files: list };
}

function readAlgorithms(env: Env, keys: KeySource): Algorithm[] {
  const fallback = keys.kind === 'hmac' ? 'HS256' : asymmetric.join(',');
  const list = readString(env, 'JWT_ALGORITHMS', fallback)
    .split(',')
    .map((entry) => entry.trim());
  const allowed = keys.kind === 'hmac' ? ['HS256'] : asymmetric;
  const expected =
    keys.kind === 'hmac' ? 'HS256 (the only algorithm with JWT_HS256_SECRET)' : `a comma-separated subset of ${asymmetric.join(', ')}`;
  if (list.length === 0 || list.some((entry) => !allowed.includes(entry as Algorithm)))
    throw new ConfigError('JWT_ALGORITHMS', expected, list.join(','));
  return list as Algorithm[];
}

/** What the gateway needs outside development, named together in one refusal when any is missing. */
const productionSettings = [
  { anyOf: [['JWT_PUBLIC_KEY_FILES'], ['JWT_JWKS_URL'], ['JWT_HS256_SECRET']], what: 'the keys that verify access tokens' },
  required('JWT_ISSUER', 'the required `iss` of access tokens'),
  required('JWT_AUDIENCE', 'the required `aud` of access tokens'),
  required('INTERNAL_TOKEN_SECRET', "the master secret of the subgraphs' internal tokens"),
];

/**
 * The edge's protections (shape limits, demand control, rate limits, trusted documents) may be switched off only in
 * development, to measure what they cost (bench/); anywhere else `off` stops the gateway.
 */
function readProtections(env: Env, production: boolean): 'on' | 'off' {
  const value = readEnum(env, 'GATEWAY_PROTECTIONS', ['on', 'off'] as const, 'on');
  if (value === 'off' && production) {
    throw new ConfigError('GATEWAY_PROTECTIONS', 'on or nothing outside development (off is for measuring them)', 'off');
  }
  return value;
}

function readAnonymousIntrospection(env: Env, production: boolean): boolean {
  const allowed = readBoolean(env, 'ALLOW_INTROSPECTION', false);
  if (allowed && production) {
    throw new ConfigError(
      'ALLOW_INTROSPECTION',
      'false or nothing outside development (anonymous introspection is for development only)',
      'true',
    );
  }
  return allowed;
}

export function readGatewayConfig(env: Env): GatewayConfig {
  requireProductionSettings(env, [...productionSettings, ...auditProductionSettings(env)]);
  const production = !isDevelopment(env);
  const host = readString(env, 'GATEWAY_HOST', '127.0.0.1');
  const port = readPort(env, 'GATEWAY_PORT', 4000);
  const supergraphFile = readString(env, 'SUPERGRAPH_FILE', fromRoot('schema', 'supergraph.graphql'));
  const keys = readKeySource(env, production);
  const devIssuer = production ? undefined : 'https://auth.fingraph.local/';
  const devAudience = production ? undefined : 'fingraph-api';
  return {
    host,
    port,
    supergraphSdl: readFile('SUPERGRAPH_FILE', supergraphFile, 'a readable supergraph SDL file (npm run compose writes it)'),
    subgraphUrls: new Map(
      subgraphs.map((subgraph) => [subgraph.name, readUrl(env, `SUBGRAPH_${subgraph.name.toUpperCase()}_URL`, subgraph.defaultUrl)]),
    ),
    jwt: {
      keys,
      algorithms: readAlgorithms(env, keys),
      issuer: readString(env, 'JWT_ISSUER', devIssuer),
      audience: readString(env, 'JWT_AUDIENCE', devAudience),
      clockToleranceSeconds: readInt(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 30, { min: 0, max: 300 }),
      maxLifetimeSeconds: readInt(env, 'JWT_MAX_LIFETIME_SECONDS', 3600, { min: 60, max: 86_400 }),
    },
    internalTokenSecret: readBase64Key(env, 'INTERNAL_TOKEN_SECRET'),
    allowAnonymousIntrospection: readAnonymousIntrospection(env, production),
    // A client that chose the id of another request could make the audit trail join two requests into one: outside
    // development only a proxy we run (GATEWAY_ACCEPT_REQUEST_ID=true behind it) may name requests.
    acceptClientRequestId: readBoolean(env, 'GATEWAY_ACCEPT_REQUEST_ID', !production),
    protections: readProtections(env, production),
    authorizationMode: readEnum(env, 'AUTHZ_MODE', ['partial', 'reject'] as const, 'partial'),
    redis: readRedisConnection(env),
    requestTimeoutMs: readInt(env, 'GATEWAY_REQUEST_TIMEOUT_MS', 15_000, { min: 100, max: 120_000 }),
    trustedDocuments: readTrustedDocumentsConfig(env, production),
    rateLimits: readRateLimitOptions(env),
    limits: readLimitsOptions(env),
    hygiene: readHygieneOptions(env),
    cost: readCostLimits(env),
    metrics: readMetricsConfig(env, 'GATEWAY'),
    audit: readAuditConfig(env, 'gateway'),
  };
}
