// Request hygiene at the gateway's HTTP edge, before Apollo Server sees a request: CSRF prevention, mutations over
// GET refused (405), batched bodies refused unless switched on (then bounded, each operation held to the shape
// limits), the body size limit, and CORS for an allow-list of origins. Field suggestions are stripped from every
// error by the one formatter (lib/errors/format.ts), which every FinGraph server uses.
import type { IncomingMessage } from 'node:http';
import { type DocumentNode, getOperationAST } from 'graphql';
import { batchingDisabled, batchTooLarge, FinGraphError, mutationOverGet, preflightRequired } from '../../../lib/errors/index.js';
import type { Logger } from '../../../lib/logging/logger.js';
import type { CorsPolicy, RequestFacts } from '../../../lib/server/graphqlHttp.js';
import { createCorsPolicy } from './cors.js';
import { mayBeCrossSite } from './csrf.js';
import type { HygieneOptions } from './options.js';

export { readHygieneOptions } from './config.js';
export { defaultHygiene, type HygieneOptions } from './options.js';

export interface HygienePluginOptions extends HygieneOptions {
  /** The shape limits' check of one document's text (gateway/plugins/limits): throws, or returns it parsed. */
  readonly checkSource: (source: string) => DocumentNode | undefined;
  readonly logger: Logger;
}

export interface HygienePlugin {
  /** From the URL and headers alone, before the body is read: refuses what a cross-site page could have sent. */
  admit(request: IncomingMessage, facts: RequestFacts): void;
  /** Once the body is read, before any token is verified or anything parsed by Apollo Server. */
  inspect(request: IncomingMessage, facts: RequestFacts, body: unknown): void;
  readonly cors: CorsPolicy;
  /** For Apollo Server: batching as configured (its own check stands behind the edge's). */
  readonly allowBatchedHttpRequests: boolean;
  readonly maxBodyBytes: number;
}

/** The operation text a request body carries, when it carries one as text (not only a persisted query's hash). */
function queryOf(entry: unknown): string | undefined {
  const query = typeof entry === 'object' && entry !== null ? (entry as { query?: unknown }).query : undefined;
  return typeof query === 'string' ? query : undefined;
}

export function createHygienePlugin(options: HygienePluginOptions): HygienePlugin {
  const { checkSource, maxBatchSize, logger } = options;
  /** Runs `check`, logging a refusal with what it refused on (a limit's figures, a reason), then passing it on. */
  const logged = (facts: RequestFacts, check: () => void) => {
    try {
      check();
    } catch (error) {
      if (error instanceof FinGraphError) {
        const { reason, limit, max, actual } = error.extensions;
        logger.info({ requestId: facts.requestId, code: error.code, reason, limit, max, actual }, 'request refused at the edge');
      }
      throw error;
    }
  };
  const inspectRequest = (request: IncomingMessage, body: unknown): void => {
    if (request.method === 'GET') {
      const parameters = new URL(request.url ?? '/', 'http://localhost').searchParams;
      const query = parameters.get('query');
      if (query === null) return;
      const document = checkSource(query);
      const operation = document ? getOperationAST(document, parameters.get('operationName') ?? undefined) : null;
      // GET must stay safe to repeat and to prefetch: refused here, before a token is verified or a plan is made.
      if (operation && operation.operation !== 'query') throw mutationOverGet(operation.operation);
      return;
    }
    if (Array.isArray(body)) {
      if (maxBatchSize === 0) throw batchingDisabled();
      if (body.length > maxBatchSize) throw batchTooLarge(maxBatchSize, body.length);
      for (const entry of body) {
        const query = queryOf(entry);
        if (query !== undefined) checkSource(query);
      }
      return;
    }
    const query = queryOf(body);
    if (query !== undefined) checkSource(query);
  };
  return {
    admit(request, facts) {
      logged(facts, () => {
        if (mayBeCrossSite(request)) throw preflightRequired();
      });
    },
    inspect(request, facts, body) {
      logged(facts, () => inspectRequest(request, body));
    },
    cors: createCorsPolicy(options.corsOrigins),
    allowBatchedHttpRequests: maxBatchSize > 0,
    maxBodyBytes: options.maxBodyBytes,
  };
}
