// The one error formatter every Apollo Server in FinGraph uses: only errors made on purpose reach the client as they
// are; anything else is masked as INTERNAL_SERVER_ERROR. No stack trace, upstream URL or internal message leaves.
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './codes.js';

const passThroughCodes = new Set<string>(Object.values(ErrorCode));

/** Codes Apollo Server itself produces for bad requests; their messages describe the client's own document. */
const apolloClientCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'BAD_REQUEST',
]);

/**
 * The only extension keys a client may see besides `code`. Anything else a library adds (the gateway's `response`
 * with a subgraph URL and body, `serviceName`, `stacktrace`) is dropped.
 */
export const publicDetailKeys: readonly string[] = [
  'actual',
  'argument',
  'field',
  'institutionId',
  'limit',
  'max',
  'provider',
  'purpose',
  'reason',
  'retryAfterSeconds',
  // A shape limit's name and figures (QUERY_TOO_COMPLEX), and a batch's size.
  'limit',
  'max',
  'actual',
];

/**
 * graphql-js appends "Did you mean …?" to validation and variable errors, naming fields, arguments, types and enum
 * values the client did not ask for: a way to read the schema one typo at a time. Names cannot hold a `?`.
 */
const suggestion = / ?Did you mean [^?]*\?/g;

export function withoutSuggestions(message: string): string {
  return message.replace(suggestion, '');
}

export function formatError(formatted: GraphQLFormattedError, _original?: unknown): GraphQLFormattedError {
  const extensions = formatted.extensions ?? {};
  const code = typeof extensions.code === 'string' ? extensions.code : undefined;
  if (code && (passThroughCodes.has(code) || apolloClientCodes.has(code)) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const details = Object.fromEntries(
      publicDetailKeys
        .filter((key) => ['string', 'number', 'boolean'].includes(typeof extensions[key]))
        .map((key) => [key, extensions[key]]),
    );
    return {
      message: withoutSuggestions(formatted.message),
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code, ...details },
    };
  }
  return {
    message: 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
