// The whole FinGraph stack for one test file, on free loopback ports: the sandbox upstreams, the subgraphs and the
// gateway, each a real HTTP server, wired as `npm start` wires them but with test keys. Start it once per file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { deriveSubgraphKey } from '../../lib/auth/internalToken.js';
import { createLogger } from '../../lib/logging/logger.js';
import { readGatewayConfig } from '../../gateway/config.js';
import { startGateway } from '../../gateway/server.js';
import { createSandbox } from '../../sandbox/server.js';
import { readAccountsConfig } from '../../subgraphs/accounts/config.js';
import { TENANT_TAG } from '../../subgraphs/accounts/loaders.js';
import { startAccountsSubgraph, type AccountsSubgraph } from '../../subgraphs/accounts/server.js';
import type { RedisHarness } from './redis.js';
import { TEST_AUDIENCE, TEST_ISSUER, testKeys } from './tokens.js';

/**
 * The sandbox's anchor day in tests is today (UTC), like `npm start`'s: consents expire by the real clock, so a pinned
 * past day would slowly expire every seeded consent. Tests never hard-code figures; they read the banks' own APIs.
 */
export const TEST_ANCHOR_DATE = new Date().toISOString().slice(0, 10);

export interface StackOptions {
  /** Extra environment for the services (for example BANK_TIMEOUT_MS). */
  readonly env?: Readonly<Record<string, string>>;
  /** A private Redis for the subgraphs' cache; without one they use the in-process default. */
  readonly redis?: RedisHarness;
}

/** The tenants the sandbox seeds. */
export const TENANTS = ['acme', 'globex'] as const;

export interface GraphQLResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  };
}

export interface Stack {
  readonly gatewayUrl: string;
  readonly sandboxUrl: string;
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** Every log line the services wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** The raw text of every log line, to search for anything that must never be logged. */
  readonly rawLogs: string[];
  graphql(query: string, options?: { variables?: Record<string, unknown>; token?: string; headers?: Record<string, string>; url?: string }): Promise<GraphQLResponse>;
  /** The sandbox's control API. */
  control(path: string, body?: unknown): Promise<unknown>;
  /** Drops every tenant's cached upstream data, for tests that count upstream calls or make a bank fail. */
  resetCache(): Promise<void>;
  readonly accounts: AccountsSubgraph;
  /** A GET on a sandbox provider with the given bearer key (to compute expectations from the banks' own answers). */
  upstream(path: string, key: string): Promise<unknown>;
  close(): Promise<void>;
}

function captureLogs(lines: string[], parsed: Array<Record<string, unknown>>): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(line);
        try {
          parsed.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          parsed.push({ unparsed: line });
        }
      }
      callback();
    },
  });
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const rawLogs: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const destination = captureLogs(rawLogs, logs);
  const logger = (service: string) => createLogger(service, { level: 'info', destination });
  const servers: Array<{ close(): Promise<void> }> = [];

  const sandbox = await createSandbox({ port: 0, host: '127.0.0.1', anchorDate: TEST_ANCHOR_DATE, latency: 'none' });
  servers.push(sandbox);
  const keyDirectory = mkdtempSync(join(tmpdir(), 'fingraph-keys-'));
  const publicKeyFile = join(keyDirectory, 'jwt-public.pem');
  writeFileSync(publicKeyFile, testKeys.publicKeyPem);

  const cacheEnv: Record<string, string> = options.redis
    ? { REDIS_URL: options.redis.url, CACHE_ENCRYPTION_KEYS: `test-1:${testKeys.cacheKey.toString('base64')}` }
    : {};
  const accounts: AccountsSubgraph = await startAccountsSubgraph(readAccountsConfig({
    ...cacheEnv,
    UPSTREAM_BASE_URL: sandbox.url,
    ACCOUNTS_PORT: '0',
    ACCOUNTS_INTERNAL_KEY: deriveSubgraphKey(testKeys.internalSecret, 'accounts').toString('base64'),
    BANK_TIMEOUT_MS: '1500',
    ...options.env,
  }), logger('accounts'));
  servers.push(accounts);

  const gateway = await startGateway(readGatewayConfig({
    GATEWAY_PORT: '0',
    ...(options.env?.JWT_JWKS_URL || options.env?.JWT_HS256_SECRET ? {} : { JWT_PUBLIC_KEY_FILES: publicKeyFile }),
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    INTERNAL_TOKEN_SECRET: testKeys.internalSecret.toString('base64'),
    SUBGRAPH_ACCOUNTS_URL: accounts.url,
    ...(options.redis ? { REDIS_URL: options.redis.url } : {}),
    ...options.env,
  }), logger('gateway'));
  servers.unshift(gateway);

  return {
    gatewayUrl: gateway.url,
    sandboxUrl: sandbox.url,
    subgraphUrls: { accounts: accounts.url },
    accounts,
    async resetCache() {
      for (const tenant of TENANTS) await accounts.cache.invalidate({ tenant }, [TENANT_TAG]);
    },
    logs,
    rawLogs,
    async graphql(query, request = {}) {
      const response = await fetch(request.url ?? gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
          ...request.headers,
        },
        body: JSON.stringify({ query, variables: request.variables ?? {} }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] };
    },
    async control(path, body) {
      const response = await fetch(`${sandbox.url}/_control${path}`, {
        method: body === undefined && !path.startsWith('/reset') && !path.includes('/expire') && !path.includes('/restore') ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`control ${path}: ${response.status}`);
      const text = await response.text();
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
    async upstream(path, key) {
      const response = await fetch(/^https?:/.test(path) ? path : `${sandbox.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
      const text = await response.text();
      return response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text;
    },
    async close() {
      for (const server of servers) await server.close();
    },
  };
}
