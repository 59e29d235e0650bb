// The whole FinGraph stack for one test file, on free loopback ports: the sandbox upstreams, the subgraphs and the
// gateway, each a real HTTP server, wired as `npm start` wires them but with test keys, each writing its audit records
// to day files in one temporary folder of this stack's own. Start it once per file.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { readGatewayConfig } from '../../gateway/config.js';
import { startGateway } from '../../gateway/server.js';
import { auditFiles } from '../../lib/audit/fileSink.js';
import { type AuditRecord, auditRecordSchema } from '../../lib/audit/record.js';
import type { AuditSink } from '../../lib/audit/sink.js';
import { deriveSubgraphKey } from '../../lib/auth/internalToken.js';
import { type Cache, TENANT_TAG } from '../../lib/cache/index.js';
import type { Env } from '../../lib/config/env.js';
import type { Logger } from '../../lib/logging/logger.js';
import { createLogger } from '../../lib/logging/logger.js';
import type { SubgraphRuntime } from '../../lib/subgraph/startSubgraph.js';
import type { Sandbox } from '../../sandbox/server.js';
import { createSandbox } from '../../sandbox/server.js';
import { webhookReceivers } from '../../schema/subgraphs.js';
import { readAccountsConfig } from '../../subgraphs/accounts/config.js';
import { type AccountsSubgraph, startAccountsSubgraph } from '../../subgraphs/accounts/server.js';
import { readCreditConfig } from '../../subgraphs/credit/config.js';
import { type CreditSubgraph, startCreditSubgraph } from '../../subgraphs/credit/server.js';
import { readIdentityConfig } from '../../subgraphs/identity/config.js';
import { type IdentitySubgraph, startIdentitySubgraph } from '../../subgraphs/identity/server.js';
import { readPaymentsConfig } from '../../subgraphs/payments/config.js';
import { type PaymentsSubgraph, startPaymentsSubgraph } from '../../subgraphs/payments/server.js';
import { TEST_ANCHOR_DATE } from './anchorDate.js';
import { type GraphQLResponse, postGraphQL, readUpstream } from './http.js';
import { findPersonalData } from './personalData.js';
import type { RedisHarness } from './redis.js';
import { TEST_AUDIENCE, TEST_ISSUER, testKeys } from './tokens.js';

export { TEST_ANCHOR_DATE } from './anchorDate.js';

export interface StackOptions {
  /** Extra environment for the services (for example BANK_TIMEOUT_MS). */
  readonly env?: Readonly<Record<string, string>>;
  /** A private Redis for the subgraphs' cache; without one they use the in-process default. */
  readonly redis?: RedisHarness;
  /** The time the credit subgraph's cache measures freshness by, for tests that move it (default Date.now). */
  readonly clock?: () => number;
  /** The gateway's clock for its JWKS key set's age (milliseconds since the epoch), so a test moves time, never waits. */
  readonly gatewayClock?: () => number;
}

/** The tenants the sandbox seeds. */
export const TENANTS = ['acme', 'globex'] as const;

export type { GraphQLResponse } from './http.js';

/** Each subgraph as the stack runs it: a real HTTP server with its cache. */
export interface StackSubgraphs {
  readonly accounts: AccountsSubgraph;
  readonly identity: IdentitySubgraph;
  readonly payments: PaymentsSubgraph;
  readonly credit: CreditSubgraph;
}
export type SubgraphName = keyof StackSubgraphs;

/** How to start each subgraph from an environment, as its own index.ts does. */
export const launchers: {
  readonly [Name in SubgraphName]: (env: Env, logger: Logger, runtime: SubgraphRuntime) => Promise<StackSubgraphs[Name]>;
} = {
  accounts: (env, logger) => startAccountsSubgraph(readAccountsConfig(env), logger),
  identity: (env, logger) => startIdentitySubgraph(readIdentityConfig(env), logger),
  payments: (env, logger) => startPaymentsSubgraph(readPaymentsConfig(env), logger),
  credit: (env, logger, runtime) => startCreditSubgraph(readCreditConfig(env), logger, runtime),
};
export const subgraphNames = Object.keys(launchers) as SubgraphName[];

/** A subgraph's environment in the test stack: development rules, the sandbox as its upstreams, the test's keys. */
export function developmentSubgraphEnv(name: SubgraphName, port: number, sandboxUrl: string): Env {
  return {
    NODE_ENV: 'development',
    UPSTREAM_BASE_URL: sandboxUrl,
    [`${name.toUpperCase()}_PORT`]: String(port),
    [`${name.toUpperCase()}_INTERNAL_KEY`]: deriveSubgraphKey(testKeys.internalSecret, name).toString('base64'),
    // Generous: two test files share two cores, and a bank deadline missed under load is not what a test means to prove.
    BANK_TIMEOUT_MS: '5000',
  };
}

export interface Stack {
  readonly gatewayUrl: string;
  /** The gateway's GET /metrics listener, when GATEWAY_METRICS_PORT is in the stack's env. */
  readonly gatewayMetricsUrl: string | undefined;
  readonly sandboxUrl: string;
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** Every log line the services wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** The raw text of every log line, to search for anything that must never be logged. */
  readonly rawLogs: string[];
  graphql(
    query: string,
    options?: { variables?: Record<string, unknown>; token?: string; headers?: Record<string, string>; url?: string },
  ): Promise<GraphQLResponse>;
  /** The sandbox's control API. */
  control(path: string, body?: unknown): Promise<unknown>;
  /** Drops every tenant's cached upstream data, for tests that count upstream calls or make a bank fail. */
  resetCache(): Promise<void>;
  readonly accounts: AccountsSubgraph;
  /** The running subgraphs; `restart` replaces an entry. */
  readonly subgraphs: StackSubgraphs;
  /** Stops one subgraph and starts it again on the same port with the same environment (in-process state is lost). */
  restart(name: SubgraphName): Promise<void>;
  readonly sandbox: Sandbox;
  /** The folder every service's audit day files are in (AUDIT_DIRECTORY), one stream per service. */
  readonly auditDirectory: string;
  /** The public half of the key every service signs its audit checkpoints with, as an auditor holds it. */
  readonly auditPublicKey: KeyObject;
  /** Every record of one service's stream so far, oldest first, once every sink has written what it holds. */
  auditRecords(stream: 'gateway' | 'identity' | 'payments' | 'credit'): Promise<AuditRecord[]>;
  /** The gateway's audit sink (a test waits on its `hasRoom` while its store is down). */
  readonly gatewayAudit: AuditSink;
  /** Resolves once every service's audit sink has written what it has been given. */
  flushAudit(): Promise<void>;
  /**
   * A GET on a sandbox provider with the given bearer key (to compute expectations from the providers' own answers);
   * a POST of `body` as JSON when one is given (for searches that take their terms in a body).
   */
  upstream(path: string, key: string, body?: unknown): Promise<unknown>;
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

  // Day files of this stack alone: two test files never write one stream's chain.
  const auditDirectory = mkdtempSync(join(tmpdir(), 'fingraph-audit-'));
  // Signed as in production, so the tests' trails carry checkpoints an auditor's key verifies.
  const auditKeys = generateKeyPairSync('ed25519');
  const auditSigningKeyFile = join(keyDirectory, 'audit-signing-key.pem');
  writeFileSync(auditSigningKeyFile, auditKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const auditEnv = { AUDIT_SINK: 'file', AUDIT_DIRECTORY: auditDirectory, AUDIT_SIGNING_KEY_FILE: auditSigningKeyFile };
  const cacheEnv: Record<string, string> = options.redis
    ? { REDIS_URL: options.redis.url, CACHE_ENCRYPTION_KEYS: `test-1:${testKeys.cacheKey.toString('base64')}` }
    : {};
  // Development rules (the sandbox's secrets and credentials, in-process stores) are opt-in, as `npm start` opts in.
  const subgraphEnv = (name: SubgraphName, port: number): Env => ({
    ...developmentSubgraphEnv(name, port, sandbox.url),
    ...auditEnv,
    ...cacheEnv,
    ...options.env,
  });
  const running = {} as { -readonly [Name in SubgraphName]: StackSubgraphs[Name] };
  const launch = async <Name extends SubgraphName>(name: Name, port: number) => {
    running[name] = await launchers[name](subgraphEnv(name, port), logger(name), options.clock ? { clock: options.clock } : {});
  };
  await Promise.all(subgraphNames.map((name) => launch(name, 0)));
  // Webhooks from the sandbox's providers go to the payments and identity services, as a tenant registers them.
  for (const { provider, subgraph } of webhookReceivers) {
    sandbox.outbox.setTarget(provider, `${new URL(running[subgraph].url).origin}/webhooks/${provider}`);
  }

  const gateway = await startGateway(
    readGatewayConfig({
      NODE_ENV: 'development',
      GATEWAY_PORT: '0',
      ...auditEnv,
      ...(options.env?.JWT_JWKS_URL || options.env?.JWT_HS256_SECRET ? {} : { JWT_PUBLIC_KEY_FILES: publicKeyFile }),
      JWT_ISSUER: TEST_ISSUER,
      JWT_AUDIENCE: TEST_AUDIENCE,
      INTERNAL_TOKEN_SECRET: testKeys.internalSecret.toString('base64'),
      ...Object.fromEntries(subgraphNames.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, running[name].url])),
      ...(options.redis ? { REDIS_URL: options.redis.url } : {}),
      // The stack's tests are about other things (rate limits have test/e2e/rateLimits*.test.ts): budgets wide enough
      // never to refuse them (a test file sends far more than a tenant's default burst of cost units), still charged,
      // so their header fields are still sent.
      RATE_LIMIT_PLANS: 'default=1000000/1:100000000',
      RATE_LIMIT_PAYMENTS: '1000/1:1000',
      RATE_LIMIT_CREDIT_REPORTS: '1000/1:1000',
      ...options.env,
    }),
    logger('gateway'),
    options.gatewayClock ? { now: options.gatewayClock } : {},
  );

  const flushAudit = async () => {
    await gateway.audit.flush();
    for (const name of subgraphNames) await running[name].audit?.flush();
  };
  return {
    gatewayUrl: gateway.url,
    gatewayMetricsUrl: gateway.metricsUrl,
    sandboxUrl: sandbox.url,
    subgraphUrls: Object.fromEntries(subgraphNames.map((name) => [name, running[name].url])),
    // The running one: a restart replaces it.
    get accounts() {
      return running.accounts;
    },
    subgraphs: running,
    sandbox,
    auditDirectory,
    auditPublicKey: auditKeys.publicKey,
    gatewayAudit: gateway.audit,
    flushAudit,
    async auditRecords(stream) {
      await flushAudit();
      const lines = (await auditFiles(auditDirectory, stream)).flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean));
      return lines.map((line) => auditRecordSchema.parse(JSON.parse(line)));
    },
    async restart(name) {
      const { port } = running[name];
      await running[name].close();
      await launch(name, port);
    },
    async resetCache() {
      const caches: Cache[] = subgraphNames.map((name) => running[name].cache);
      for (const cache of caches) for (const tenant of TENANTS) await cache.invalidate({ tenant }, [TENANT_TAG]);
    },
    logs,
    rawLogs,
    graphql: (query, request = {}) => postGraphQL(request.url ?? gateway.url, query, request),
    async control(path, body) {
      const response = await fetch(`${sandbox.url}/_control${path}`, {
        method:
          body === undefined && !path.startsWith('/reset') && !path.includes('/expire') && !path.includes('/restore') ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`control ${path}: ${response.status}`);
      const text = await response.text();
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
    upstream: (path, key, body) => readUpstream(sandbox.url, path, key, body),
    async close() {
      await gateway.close();
      for (const name of subgraphNames) await running[name].close();
      for (const server of servers) await server.close();
      // Issue 15: whatever a test file did through its stack, no seeded person's data is in any log line or audit
      // record it produced (checked once everything is flushed and closed).
      const trail = readdirSync(auditDirectory).map((file) => readFileSync(join(auditDirectory, file), 'utf8'));
      const found = findPersonalData([...rawLogs, ...trail]);
      if (found !== undefined) throw new Error(`a log line or audit record of this stack holds a seeded person's data: ${found}`);
    },
  };
}
