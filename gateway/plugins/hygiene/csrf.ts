// Cross-site request forgery: a page on another site can make a browser send a form post (urlencoded, multipart or
// text/plain) or a simple GET to the gateway without asking it first. Apollo Server's rule, applied at the edge before
// any body is read: a request must carry a content type a form cannot send (application/json), or a header only a
// script that passed a CORS preflight can set. Apollo Server keeps its own check behind this one.
import type { IncomingMessage } from 'node:http';

const formContentTypes = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
/** Apollo Server's recommended headers (`recommendedCsrfPreventionRequestHeaders`). */
export const preflightHeaders = ['apollo-require-preflight', 'x-apollo-operation-name'];

export function mayBeCrossSite(request: IncomingMessage): boolean {
  const essence = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (essence !== '' && !formContentTypes.has(essence)) return false;
  return !preflightHeaders.some((name) => {
    const value = request.headers[name];
    return typeof value === 'string' && value.length > 0;
  });
}
