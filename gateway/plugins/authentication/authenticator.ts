// The authenticator: a bearer JWT from the Authorization header only, verified with jsonwebtoken against an explicit
// algorithm allow-list and the configured keys (PEM files or a JWKS URL; or one HS256 secret, never alongside
// asymmetric keys), with `iss`, `aud`, `exp` and `iat` required, `nbf` honoured, a clock tolerance, and a maximum
// lifetime. The result is the principal every subgraph receives. A missing or bad token refuses the
// request with UNAUTHENTICATED (HTTP 401); the reason is logged, never echoed.

import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import jwt from 'jsonwebtoken';
import { isValidTenant, type Principal } from '../../../lib/auth/principal.js';
import { unauthenticated } from '../../../lib/errors/index.js';
import type { Logger } from '../../../lib/logging/logger.js';
import { bearer } from './bearerToken.js';
import { KeySetUnavailable, type KeyStore, type VerificationKey } from './keyStore.js';
import type { Algorithm, JwtOptions } from './options.js';

/**
 * What verifies a token's signature: asymmetric keys (PEM files or a JWKS URL), or one HS256 secret of at least 32
 * bytes for a deployment with a symmetric issuer; never both.
 */
export type Verifier =
  | { readonly keys: KeyStore; readonly hmacSecret?: undefined }
  | { readonly hmacSecret: Buffer; readonly keys?: undefined };

/** The JWT rules (options.ts, minus the key source) with the keys that source gave. */
export type AuthenticatorOptions = Omit<JwtOptions, 'keys'> & Verifier & { readonly logger: Logger };

export type Authenticate = (request: IncomingMessage, requestId: string) => Promise<Principal>;

/** `typ` values accepted in the header; absent is accepted too, as many issuers leave it out. */
const acceptedTypes = ['jwt', 'at+jwt', 'application/at+jwt'];

function principalFrom(claims: jwt.JwtPayload): Principal | undefined {
  const { sub, tenant, customer_id: customerId, scope, amr, plan } = claims as jwt.JwtPayload & Record<string, unknown>;
  if (typeof sub !== 'string' || sub === '' || !isValidTenant(tenant)) return undefined;
  if (customerId !== undefined && (typeof customerId !== 'string' || customerId === '')) return undefined;
  if (scope !== undefined && typeof scope !== 'string') return undefined;
  if (amr !== undefined && !(Array.isArray(amr) && amr.every((entry) => typeof entry === 'string'))) return undefined;
  if (plan !== undefined && (typeof plan !== 'string' || plan === '')) return undefined;
  return {
    sub,
    tenant,
    customerId: customerId as string | undefined,
    scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [],
    amr: (amr as string[] | undefined) ?? [],
    ...(plan ? { plan } : {}),
  };
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  if (Boolean(options.keys) === Boolean(options.hmacSecret)) throw new Error('configure exactly one of keys and hmacSecret');
  return async (request, requestId) => {
    const refuse = (reason: string) => {
      options.logger.info({ requestId, reason }, 'authentication refused');
      return unauthenticated();
    };
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? bearer.exec(header) : null;
    if (!match) throw refuse(header ? 'malformed authorization header' : 'no bearer token');
    const token = match[1] as string;

    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw refuse('undecodable token');
    // An access token, not an ID token or another JWT the same issuer signs for the same audience (RFC 9068 at+jwt).
    const typ = decoded.header.typ?.toLowerCase();
    if (typ !== undefined && !acceptedTypes.includes(typ)) throw refuse(`token type ${typ} is not an access token`);
    const alg = decoded.header.alg as Algorithm;
    if (!options.algorithms.includes(alg)) throw refuse(`algorithm ${String(decoded.header.alg)} not allowed`);

    let candidates: Array<Buffer | KeyObject>;
    if (alg === 'HS256') {
      candidates = options.hmacSecret ? [options.hmacSecret] : [];
    } else {
      // A key published for one algorithm verifies only that one (an RS256 key is not a PS256 key).
      let published: readonly VerificationKey[] = [];
      try {
        published = options.keys ? await options.keys.candidates(decoded.header.kid) : [];
      } catch (error) {
        // Fail closed: with no key set that can still be trusted, no token verifies (the store logged why).
        if (error instanceof KeySetUnavailable) throw refuse('key set unavailable');
        throw error;
      }
      candidates = published.filter((entry) => entry.alg === undefined || entry.alg === alg).map((entry) => entry.key);
    }
    if (candidates.length === 0) throw refuse(`no key for kid ${decoded.header.kid ?? '(none)'}`);

    let claims: jwt.JwtPayload | undefined;
    let lastReason = 'invalid token';
    for (const key of candidates) {
      try {
        const verified = jwt.verify(token, key, {
          algorithms: [alg],
          issuer: options.issuer,
          audience: options.audience,
          clockTolerance: options.clockToleranceSeconds,
        });
        if (typeof verified !== 'string') {
          claims = verified;
          break;
        }
      } catch (error) {
        lastReason = error instanceof Error ? error.message : lastReason;
      }
    }
    if (!claims) throw refuse(lastReason);
    if (typeof claims.exp !== 'number') throw refuse('no exp');
    if (typeof claims.iat !== 'number') throw refuse('no iat');
    if (claims.iat > Date.now() / 1000 + options.clockToleranceSeconds) throw refuse('issued in the future');
    if (claims.exp - claims.iat > options.maxLifetimeSeconds)
      throw refuse(`lifetime ${claims.exp - claims.iat}s over ${options.maxLifetimeSeconds}s`);
    const principal = principalFrom(claims);
    if (!principal) throw refuse('claims missing or malformed');
    return principal;
  };
}
