// The gateway-to-subgraph credential. The client's JWT stops at the gateway; for each subgraph fetch the gateway signs
// the verified principal with HMAC-SHA256 under a key of that subgraph's own, with a short lifetime and the request id.
// An HMAC costs microseconds where an RSA signature per fetch costs about a millisecond of CPU.
//
// Format: "v1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(key, 'v1.' + claims))>".
// Each subgraph's key is HKDF-SHA256(master secret, info = "fingraph-subgraph:<name>"), so a subgraph holding its own
// key can neither mint tokens for another subgraph nor recover the master secret.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Principal } from './principal.js';
import { isValidTenant } from './principal.js';

export const INTERNAL_TOKEN_HEADER = 'x-fingraph-principal';
export const REQUEST_ID_HEADER = 'x-request-id';
/** Short enough that a captured token is useless soon after; long enough for one request's fetches. */
export const INTERNAL_TOKEN_TTL_SECONDS = 60;
const CLOCK_SKEW_SECONDS = 5;

interface Claims {
  aud: string;
  sub: string;
  ten: string;
  cid?: string;
  scp: string[];
  amr: string[];
  rid: string;
  iat: number;
  exp: number;
}

export function deriveSubgraphKey(masterSecret: Buffer, subgraph: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterSecret, Buffer.from('fingraph-internal-v1'), `fingraph-subgraph:${subgraph}`, 32));
}

function sign(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

export function signInternalToken(
  key: Buffer,
  subgraph: string,
  principal: Principal,
  requestId: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const claims: Claims = {
    aud: subgraph,
    sub: principal.sub,
    ten: principal.tenant,
    ...(principal.customerId ? { cid: principal.customerId } : {}),
    scp: [...principal.scopes],
    amr: [...principal.amr],
    rid: requestId,
    iat: nowSeconds,
    exp: nowSeconds + INTERNAL_TOKEN_TTL_SECONDS,
  };
  const body = `v1.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${sign(key, body)}`;
}

export interface VerifiedInternalToken {
  readonly principal: Principal;
  readonly requestId: string;
}

export class InternalTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InternalTokenError';
  }
}

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

export function verifyInternalToken(
  key: Buffer,
  subgraph: string,
  token: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
): VerifiedInternalToken {
  if (!token) throw new InternalTokenError('missing');
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') throw new InternalTokenError('malformed');
  const body = `${parts[0]}.${parts[1]}`;
  const expected = Buffer.from(sign(key, body));
  const given = Buffer.from(parts[2] as string);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new InternalTokenError('bad signature');
  let claims: Partial<Claims>;
  try {
    claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as Partial<Claims>;
  } catch {
    throw new InternalTokenError('malformed claims');
  }
  if (claims.aud !== subgraph) throw new InternalTokenError('wrong audience');
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < nowSeconds) throw new InternalTokenError('expired');
  if (typeof claims.iat !== 'number' || claims.iat - CLOCK_SKEW_SECONDS > nowSeconds) throw new InternalTokenError('issued in the future');
  if (
    typeof claims.sub !== 'string' ||
    !isValidTenant(claims.ten) ||
    !isStringArray(claims.scp) ||
    !isStringArray(claims.amr) ||
    typeof claims.rid !== 'string' ||
    (claims.cid !== undefined && typeof claims.cid !== 'string')
  ) {
    throw new InternalTokenError('malformed claims');
  }
  return {
    principal: { sub: claims.sub, tenant: claims.ten, customerId: claims.cid, scopes: claims.scp, amr: claims.amr },
    requestId: claims.rid,
  };
}
