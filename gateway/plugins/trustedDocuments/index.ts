// Trusted documents (persisted-query safelisting). `off`: anything runs. `log`: anything runs, and a document not in
// the manifest is logged with its SHA-256 (never its text, which may carry account numbers in literals). `trusted-only`:
// a request names a manifest operation by hash (Apollo's `extensions.persistedQuery.sha256Hash`, or a `documentId`
// of `sha256:<hash>` or the bare hash) or sends its exact text; an unknown hash is PERSISTED_QUERY_NOT_FOUND, as an
// APQ client expects (Apollo Server's own answer, from the manifest standing in for its APQ cache), and unknown text is
// FORBIDDEN (UNTRUSTED_DOCUMENT, HTTP 403), refused without being parsed. In that mode the automatic-persisted-query
// registry (Redis) is never read or written: a hash registered earlier, or a new one sent with its text, does not
// make a document trusted.
import type { ApolloServerPlugin } from '@apollo/server';
import type { ApolloKeyValueCache } from '../../../lib/cache/keyValueCache.js';
import { untrustedDocument } from '../../../lib/errors/index.js';
import type { Logger } from '../../../lib/logging/logger.js';
import type { GatewayContext } from '../../context.js';
import type { TrustedDocumentsMode } from './config.js';
import { sha256Hex, type TrustedDocuments } from './manifest.js';

export type { TrustedDocumentsConfig, TrustedDocumentsMode } from './config.js';
export { loadTrustedDocuments } from './manifest.js';

export interface TrustedDocumentsOptions {
  /** off | log | trusted-only; the default is chosen in config.ts (log in development, trusted-only otherwise). */
  readonly mode: TrustedDocumentsMode;
  /** The manifest's documents by hash. */
  readonly trusted: TrustedDocuments;
  readonly logger: Logger;
}

const hashPattern = /^(?:sha256:)?([0-9a-f]{64})$/;

/** The hash a request names a document by: the APQ extension's, or a `documentId` in the body. */
function requestedHash(extensions: Record<string, unknown> | undefined, body: unknown): string | undefined {
  const persisted = extensions?.persistedQuery;
  if (typeof persisted === 'object' && persisted !== null && 'sha256Hash' in persisted && typeof persisted.sha256Hash === 'string') {
    return persisted.sha256Hash;
  }
  const documentId = typeof body === 'object' && body !== null && 'documentId' in body ? body.documentId : undefined;
  return typeof documentId === 'string' ? (hashPattern.exec(documentId)?.[1] ?? documentId) : undefined;
}

/**
 * In trusted-only mode, Apollo Server's persisted-query cache: the manifest, read-only. Apollo looks a hash up here
 * (under its `apq:` prefix) instead of in Redis, so an unknown hash gets Apollo's own PERSISTED_QUERY_NOT_FOUND (what
 * APQ clients expect), a hash registered in Redis in another mode is never found, and a registration writes nothing.
 */
export function manifestPersistedQueries(trusted: TrustedDocuments): { cache: ApolloKeyValueCache; ttl: null } {
  return {
    ttl: null,
    cache: {
      async get(key: string) {
        return trusted.body(key.replace(/^apq:/, ''));
      },
      async set() {
        // Registration of a new hash is refused in trusted-only: nothing outside the manifest is ever stored.
      },
      async delete() {
        return false;
      },
    },
  };
}

/** A stand-in for an untrusted text, so that Apollo Server never parses what it was sent; the request is refused. */
const REFUSED_PLACEHOLDER = '{ __typename }';

export function createTrustedDocumentsPlugin(options: TrustedDocumentsOptions): ApolloServerPlugin<GatewayContext> {
  const { mode, trusted, logger } = options;
  if (mode === 'off') return {};
  if (mode === 'log') {
    return {
      async requestDidStart() {
        return {
          async didResolveSource({ queryHash, contextValue }) {
            if (!trusted.has(queryHash)) logger.warn({ requestId: contextValue.requestId, documentHash: queryHash }, 'untrusted document');
          },
        };
      },
    };
  }
  return {
    async requestDidStart({ request, contextValue }) {
      // A documentId names a manifest operation as the APQ extension does; Apollo then resolves it from the manifest.
      const named = requestedHash(request.extensions, request.http?.body);
      if (named !== undefined && request.extensions?.persistedQuery === undefined) {
        request.extensions = { ...request.extensions, persistedQuery: { version: 1, sha256Hash: named } };
      }
      if (request.query === undefined || request.query === '') return; // by hash: the manifest cache answers
      const hash = sha256Hex(request.query);
      if (trusted.has(hash)) return;
      logger.warn({ requestId: contextValue.requestId, documentHash: hash }, 'untrusted document refused');
      // Apollo Server reports an error only from didResolveOperation (an earlier hook's error is a 500), which comes
      // after parsing; the untrusted text is swapped for a trivial document first, so it is never parsed or registered.
      request.query = REFUSED_PLACEHOLDER;
      request.extensions = withoutPersistedQuery(request.extensions);
      return {
        async didResolveOperation() {
          throw untrustedDocument();
        },
      };
    },
  };
}

function withoutPersistedQuery(extensions: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!extensions || !('persistedQuery' in extensions)) return extensions;
  const { persistedQuery: _dropped, ...rest } = extensions;
  return rest;
}
