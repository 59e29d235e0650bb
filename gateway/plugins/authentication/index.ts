// The authentication plugin: everything the gateway's HTTP edge needs to know who is asking, built from the gateway's
// config by one factory. It refuses what it can from the URL and headers before the body is read, then builds each
// request's context (a verified principal, or none for anonymous introspection where allowed), and says who asked
// for the request's log line from that context: nothing is written into the edge's request facts.
import type { IncomingMessage } from 'node:http';
import { unauthenticated } from '../../../lib/errors/index.js';
import type { RequestFacts, RequestLogFields } from '../../../lib/server/graphqlHttp.js';
import type { GatewayContext } from '../../context.js';
import { createAuthenticator } from './authenticator.js';
import { refusalBeforeBody, tokenOutsideHeader } from './bearerToken.js';
import { isIntrospectionOnly } from './introspection.js';
import { verifierFor } from './keys.js';
import type { AuthenticationOptions } from './options.js';

export { type Authenticate, type AuthenticatorOptions, createAuthenticator, type Verifier } from './authenticator.js';
export type { Algorithm, AuthenticationOptions, JwtOptions, KeySource } from './options.js';

export interface Authentication {
  /** Refuses a request from its URL and headers alone (UNAUTHENTICATED), before its body is read. */
  admit(request: IncomingMessage, facts: RequestFacts): void;
  /** The request's context: its verified principal; throws UNAUTHENTICATED when there is none to be had. */
  context(request: IncomingMessage, facts: RequestFacts, body: unknown): Promise<GatewayContext>;
  /** Who asked, for the request's log line: the principal's tenant and subject, none for anonymous introspection. */
  logFields(context: GatewayContext): RequestLogFields;
}

/** Resolves the key source first (a JWKS set is fetched once here), so the gateway listens ready to verify. */
export async function createAuthentication(options: AuthenticationOptions): Promise<Authentication> {
  const { jwt, allowAnonymousIntrospection, logger } = options;
  const { keys, ...rules } = jwt;
  const authenticate = createAuthenticator({ ...rules, ...(await verifierFor(keys, logger, options.now)), logger });
  const refuse = (requestId: string, reason: string) => {
    logger.info({ requestId, reason }, 'authentication refused');
    return unauthenticated();
  };
  return {
    admit(request, facts) {
      const reason = refusalBeforeBody(request, allowAnonymousIntrospection);
      if (reason !== undefined) throw refuse(facts.requestId, reason);
    },
    async context(request, facts, body) {
      if (tokenOutsideHeader(request, body)) throw refuse(facts.requestId, 'token outside the Authorization header');
      if (!request.headers.authorization && allowAnonymousIntrospection && isIntrospectionOnly(body)) {
        return { principal: undefined, requestId: facts.requestId };
      }
      return { principal: await authenticate(request, facts.requestId), requestId: facts.requestId };
    },
    logFields: ({ principal }) => (principal ? { tenant: principal.tenant, sub: principal.sub } : {}),
  };
}
