// Trusted documents (persisted-query safelisting). `off`: anything runs. `log`: anything runs, and a document not in
// the manifest is logged with its SHA-256 (never its text, which may carry account numbers in literals). `trusted-only`:
// a request names a manifest operation by hash (Apollo's `extensions.persistedQuery.sha256Hash`, or a `documentId`
// of `sha256:<hash>` or the bare hash) or sends its exact text; an unknown hash is PERSISTED_QUERY_NOT_FOUND, as an
// APQ client expects, and unknown text is FORBIDDEN (UNTRUSTED_DOCUMENT), refused before it is parsed. In that mode
// the automatic-persisted-query registry (Redis) is never read or written: a hash registered earlier, or a new one
// sent with its text, does not make a document trusted.
import { type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
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

/** Apollo Server's own answer to an unknown hash (status 200, not cached), so APQ clients behave as they always do. */
function persistedQueryNotFound(): GraphQLError {
  return new GraphQLError('PersistedQueryNotFound', {
    extensions: {
      code: ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
      http: { status: 200, headers: new HeaderMap([['cache-control', 'private, no-cache, must-revalidate']]) },
    },
  });
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

function withoutPersistedQuery(extensions: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!extensions || !('persistedQuery' in extensions)) return extensions;
  const { persistedQuery: _dropped, ...rest } = extensions;
  return rest;
}

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
      const named = requestedHash(request.extensions, request.http?.body);
      if (request.query !== undefined && request.query !== '') {
        const hash = sha256Hex(request.query);
        if (!trusted.has(hash)) {
          logger.warn({ requestId: contextValue.requestId, documentHash: hash }, 'untrusted document refused');
          throw untrustedDocument();
        }
        // Trusted text sent with its own hash (an APQ registration): the manifest serves it already, so nothing is
        // registered. A hash that does not match the text is left for Apollo Server to refuse.
        if (named === hash) request.extensions = withoutPersistedQuery(request.extensions);
        return;
      }
      if (named === undefined) return; // neither text nor hash: Apollo Server's own BAD_REQUEST
      const body = trusted.body(named);
      if (body === undefined) {
        logger.warn(
          { requestId: contextValue.requestId, documentHash: /^[0-9a-f]{64}$/.test(named) ? named : 'malformed' },
          'unknown trusted-document hash',
        );
        throw persistedQueryNotFound();
      }
      request.query = body;
      request.extensions = withoutPersistedQuery(request.extensions);
    },
  };
}
