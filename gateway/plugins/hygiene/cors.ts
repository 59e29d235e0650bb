// CORS for browser frontends on other origins: only an origin on the allow-list gets `Access-Control-Allow-Origin`
// (its own, echoed exactly, never `*`), and only its preflights are answered. Credentials are never allowed
// (`Access-Control-Allow-Credentials` is never sent): FinGraph reads no cookie, the bearer token travels in the
// Authorization header, which the preflight allows by name, so no origin needs the browser's ambient credentials.
import type { IncomingMessage } from 'node:http';
import { corsRefused } from '../../../lib/errors/index.js';
import type { CorsPolicy } from '../../../lib/server/graphqlHttp.js';
import { preflightHeaders } from './csrf.js';

const allowedHeaders = ['authorization', 'content-type', 'x-request-id', ...preflightHeaders].join(', ');
/** What a browser app may read of an answer besides the simple headers: the request id and rate-limit pacing. */
const exposedHeaders = ['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy'].join(', ');
/** How long a browser may reuse a preflight's answer, in seconds. */
const preflightMaxAgeSeconds = 600;

export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const allowed = new Set(origins);
  const allowedOrigin = (request: IncomingMessage) => {
    const origin = request.headers.origin;
    return typeof origin === 'string' && allowed.has(origin) ? origin : undefined;
  };
  return {
    headersFor(request): Readonly<Record<string, string>> {
      const origin = allowedOrigin(request);
      // Vary on every answer, so no cache hands one origin's answer (with or without CORS headers) to another.
      if (!origin) return { vary: 'Origin' };
      return { vary: 'Origin', 'access-control-allow-origin': origin, 'access-control-expose-headers': exposedHeaders };
    },
    preflight(request) {
      const origin = allowedOrigin(request);
      const method = request.headers['access-control-request-method'];
      if (!origin || (method !== 'POST' && method !== 'GET')) throw corsRefused();
      return {
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': allowedHeaders,
        'access-control-max-age': String(preflightMaxAgeSeconds),
      };
    },
  };
}
