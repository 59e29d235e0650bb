// Where an access token may be: only in the Authorization header, as `Bearer <JWT>`. These checks read the URL and
// headers alone, so they can refuse a request before its body is read.
import type { IncomingMessage } from 'node:http';

export const bearer = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;
const tokenParameters = ['access_token', 'token', 'id_token', 'jwt'];

function tokenInQuery(request: IncomingMessage): boolean {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  return tokenParameters.some((name) => query.has(name));
}

/** A token anywhere but the Authorization header has already leaked into URLs, proxies and logs: refuse it. */
export function tokenOutsideHeader(request: IncomingMessage, body: unknown): boolean {
  if (tokenInQuery(request)) return true;
  return typeof body === 'object' && body !== null && tokenParameters.some((name) => name in body);
}

/**
 * Why the request can be refused from its URL and headers alone, before its body is read (so a caller without a
 * token cannot make the gateway read and parse a body); undefined when only the body and the token's verification
 * can tell. `anonymousAllowed`: a request without a token may still be anonymous introspection, which the body says.
 */
export function refusalBeforeBody(request: IncomingMessage, anonymousAllowed: boolean): string | undefined {
  if (tokenInQuery(request)) return 'token outside the Authorization header';
  const header = request.headers.authorization;
  if (!header) return anonymousAllowed ? undefined : 'no bearer token';
  return bearer.test(header) ? undefined : 'malformed authorization header';
}
