// Authentication at the gateway: a bearer JWT from the Authorization header, verified with jsonwebtoken (signature,
// iss, aud, exp) and turned into the principal every subgraph receives. A missing or bad token refuses the request
// with UNAUTHENTICATED (HTTP 401); the reason is logged, never echoed.
import type { IncomingMessage } from 'node:http';
import jwt from 'jsonwebtoken';
import { isValidTenant, type Principal } from '../../../lib/auth/principal.js';
import { unauthenticated } from '../../../lib/errors/index.js';
import type { Logger } from '../../../lib/logging/logger.js';

export interface AuthenticationOptions {
  readonly publicKeyPem: string;
  readonly issuer: string;
  readonly audience: string;
  /** Leeway for exp/nbf/iat; default 30 s. */
  readonly clockToleranceSeconds: number;
  readonly logger: Logger;
}

export type Authenticate = (request: IncomingMessage, requestId: string) => Principal;

const bearer = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;

function principalFrom(claims: jwt.JwtPayload): Principal | undefined {
  const { sub, tenant, customer_id: customerId, scope, amr } = claims as jwt.JwtPayload & Record<string, unknown>;
  if (typeof sub !== 'string' || sub === '' || !isValidTenant(tenant)) return undefined;
  if (customerId !== undefined && (typeof customerId !== 'string' || customerId === '')) return undefined;
  if (scope !== undefined && typeof scope !== 'string') return undefined;
  if (amr !== undefined && !(Array.isArray(amr) && amr.every((entry) => typeof entry === 'string'))) return undefined;
  return {
    sub, tenant,
    customerId: customerId as string | undefined,
    scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [],
    amr: (amr as string[] | undefined) ?? [],
  };
}

export function createAuthenticator(options: AuthenticationOptions): Authenticate {
  return (request, requestId) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? bearer.exec(header) : null;
    const refuse = (reason: string) => {
      options.logger.info({ requestId, reason }, 'authentication refused');
      return unauthenticated();
    };
    if (!match) throw refuse(header ? 'malformed authorization header' : 'no bearer token');
    let claims: jwt.JwtPayload;
    try {
      const verified = jwt.verify(match[1] as string, options.publicKeyPem, {
        algorithms: ['RS256'],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSeconds,
        complete: false,
      });
      if (typeof verified === 'string' || verified.exp === undefined) throw new Error('no exp');
      claims = verified;
    } catch (error) {
      throw refuse(error instanceof Error ? error.message : 'invalid token');
    }
    const principal = principalFrom(claims);
    if (!principal) throw refuse('claims missing or malformed');
    return principal;
  };
}
