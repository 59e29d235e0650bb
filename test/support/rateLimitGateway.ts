// A gateway alone for the rate-limit tests: in-process or as its own process, with the test's keys, on the test's
// Redis, its subgraphs pointed at a closed port. The limiter answers before any subgraph is called, so a refused
// request is a 429 and an admitted one a 200 carrying the unreachable subgraph's error: admitted and refused are
// counted from the status alone, without the rest of the stack. Tokens carry the claims the limiter reads (azp,
// client_id, plan). Nothing here runs at import time.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import { readGatewayConfig } from '../../gateway/config.js';
import { type RunningGateway, startGateway } from '../../gateway/server.js';
import { keyThumbprint } from '../../lib/auth/keyThumbprint.js';
import { roles } from '../../lib/auth/roles.js';
import { createLogger } from '../../lib/logging/logger.js';
import { subgraphs } from '../../schema/subgraphs.js';
import { TEST_AUDIENCE, TEST_ISSUER, testKeys } from './tokens.js';

/** The environment of a gateway whose subgraphs cannot be reached (port 9, discard, is closed on loopback). */
export function rateLimitGatewayEnv(redisUrl: string | undefined, extra: Readonly<Record<string, string>>): Record<string, string> {
  const keyDirectory = mkdtempSync(join(tmpdir(), 'fingraph-rl-keys-'));
  const publicKeyFile = join(keyDirectory, 'jwt-public.pem');
  writeFileSync(publicKeyFile, testKeys.publicKeyPem);
  return {
    NODE_ENV: 'development',
    GATEWAY_PORT: '0',
    JWT_PUBLIC_KEY_FILES: publicKeyFile,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    INTERNAL_TOKEN_SECRET: testKeys.internalSecret.toString('base64'),
    ...Object.fromEntries(subgraphs.map(({ name }) => [`SUBGRAPH_${name.toUpperCase()}_URL`, 'http://127.0.0.1:9/graphql'])),
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...extra,
  };
}

export interface InProcessGateway {
  readonly url: string;
  /** Every log line, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** The gateway itself: its metrics URL too, when GATEWAY_METRICS_PORT is in the environment. */
  readonly server: RunningGateway;
}

export async function startRateLimitGateway(env: Record<string, string>, clock?: () => number): Promise<InProcessGateway> {
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const server = await startGateway(
    readGatewayConfig(env),
    createLogger('gateway', { level: 'info', destination }),
    clock ? { rateLimitClock: clock } : {},
  );
  return { url: server.url, logs, server };
}

export interface LimitToken {
  readonly tenant: string;
  readonly sub: string;
  readonly azp?: string;
  readonly clientId?: string;
  readonly plan?: string;
  /** Default admin: every scope. */
  readonly role?: keyof typeof roles;
  readonly amr?: readonly string[];
}

export function limitToken(request: LimitToken): string {
  const claims = {
    tenant: request.tenant,
    scope: roles[request.role ?? 'admin'].join(' '),
    amr: [...(request.amr ?? ['pwd', 'otp'])],
    ...(request.azp ? { azp: request.azp } : {}),
    ...(request.clientId ? { client_id: request.clientId } : {}),
    ...(request.plan ? { plan: request.plan } : {}),
  };
  return jwt.sign(claims, testKeys.privateKeyPem, {
    algorithm: 'RS256',
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    subject: request.sub,
    expiresIn: 900,
    keyid: keyThumbprint(testKeys.privateKeyPem),
  });
}

export interface LimitAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly codes: readonly string[];
}

/** One POST; the answer's status, headers and error codes. */
export async function ask(
  url: string,
  query: string,
  options: { token?: string; authorization?: string; variables?: Record<string, unknown> } = {},
): Promise<LimitAnswer> {
  const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  return {
    status: response.status,
    headers: response.headers,
    codes: (body.errors ?? []).map((error) => String(error.extensions?.code)),
  };
}

/** Fires `count` requests at once (no one waits for another) and counts the 429s. */
export async function burst(count: number, send: (index: number) => Promise<LimitAnswer>): Promise<{ admitted: number; refused: number }> {
  const answers = await Promise.all(Array.from({ length: count }, (_, index) => send(index)));
  const refused = answers.filter((answer) => answer.status === 429).length;
  return { admitted: count - refused, refused };
}

/** The RateLimit field's items: policy → remaining `r` and reset `t`. */
export function parseRateLimit(value: string | null): Map<string, { r: number; t: number }> {
  const items = new Map<string, { r: number; t: number }>();
  for (const item of (value ?? '').split(',')) {
    const match = /^\s*"([^"]+)";r=(\d+);t=(\d+)\s*$/.exec(item);
    if (match) items.set(match[1] as string, { r: Number(match[2]), t: Number(match[3]) });
  }
  return items;
}

/** The RateLimit-Policy field's items: policy → quota `q` and window `w`. */
export function parseRateLimitPolicy(value: string | null): Map<string, { q: number; w: number }> {
  const items = new Map<string, { q: number; w: number }>();
  for (const item of (value ?? '').split(',')) {
    const match = /^\s*"([^"]+)";q=(\d+);w=(\d+)\s*$/.exec(item);
    if (match) items.set(match[1] as string, { q: Number(match[2]), w: Number(match[3]) });
  }
  return items;
}
