// How the gateway calls a subgraph: undici's fetch over one keep-alive pool, and on every fetch a fresh internal token
// for that subgraph carrying the verified principal and the request id, and the trace context (W3C `traceparent`) of
// @apollo/gateway's `gateway.fetch` span, so the subgraph's spans join the request's trace. The client's own token
// never goes further. Each fetch's duration and outcome go to the gateway's subgraph-fetch histogram (lib/metrics)
// when one is given.
import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { Agent, fetch as undiciFetch } from 'undici';
import { z } from 'zod';
import { deriveSubgraphKey, INTERNAL_TOKEN_HEADER, REQUEST_ID_HEADER, signInternalToken } from '../lib/auth/internalToken.js';
import { DEADLINE_HEADER, remainingMs, subgraphBudgetMs } from '../lib/deadline/index.js';
import { ErrorCode, isFinGraphError, upstreamTimeout } from '../lib/errors/index.js';
import type { FetchObservation } from '../lib/metrics/index.js';
import { injectTraceContext } from '../lib/telemetry/spans.js';
import type { GatewayContext } from './context.js';

const pool = new Agent({ keepAliveTimeout: 30_000, connections: 128 });

const errorBody = z.object({
  errors: z.array(z.object({ message: z.string(), extensions: z.record(z.string(), z.unknown()).optional() })).min(1),
});

/**
 * A subgraph refuses a request outright (HTTP 4xx) when the client's input fails its checks, e.g. a variable that is
 * not a valid CurrencyCode. Its own error, with its code, is what the client should see, not "400: Bad Request".
 * Anything else stays an opaque failure; the formatter masks it.
 */
class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /** The subgraph's name, named in a deadline's UPSTREAM_TIMEOUT as a provider is. */
  subgraph = '';
  observe: ((fetch: FetchObservation) => void) | undefined;

  // Measured around the whole fetch (token, HTTP call, body read and parse), so the figure is what planning waited for.
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const observe = this.observe;
    if (!observe) return super.process(options);
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const response = await super.process(options);
      observe({ subgraph: this.subgraph, outcome: 'ok', durationSeconds: seconds() });
      return response;
    } catch (error) {
      const timedOut = isFinGraphError(error) && error.code === ErrorCode.UPSTREAM_TIMEOUT;
      observe({ subgraph: this.subgraph, outcome: timedOut ? 'timeout' : 'error', durationSeconds: seconds() });
      throw error;
    }
  }

  // Request deadline (lib/deadline): a fetch cut by it is UPSTREAM_TIMEOUT for this subgraph's part, not a masked failure.
  override didEncounterError(error: Error): void {
    const left = remainingMs();
    if (!isFinGraphError(error) && left !== undefined && left <= 0) throw upstreamTimeout(this.subgraph);
    throw error;
  }

  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const parsed = errorBody.safeParse(await this.parseBody(response).catch(() => undefined));
    const first = parsed.success ? parsed.data.errors[0] : undefined;
    const code = first?.extensions?.code;
    if (first && response.status >= 400 && response.status < 500 && typeof code === 'string' && code !== 'UNAUTHENTICATED') {
      return new GraphQLError(first.message, { extensions: first.extensions ?? {} });
    }
    return new GraphQLError('Subgraph request failed', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }
}

export function createSubgraphDataSource(
  name: string,
  url: string,
  masterSecret: Buffer,
  observe?: (fetch: FetchObservation) => void,
): RemoteGraphQLDataSource<GatewayContext> {
  const key = deriveSubgraphKey(masterSecret, name);
  const source = new SubgraphDataSource({
    url,
    // undici's Response is a WHATWG Response; the gateway's Fetcher type is the narrower node-fetch shape it reads.
    fetcher: ((input: string, init?: Parameters<typeof undiciFetch>[1]) => {
      // Request deadline: the gateway stops waiting for a subgraph when the request's time is up, and answers with the rest.
      const left = remainingMs();
      const signal = left === undefined ? {} : { signal: AbortSignal.timeout(Math.max(1, left)) };
      return undiciFetch(input, { ...init, ...signal, dispatcher: pool });
    }) as unknown as Fetcher,
    willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
      // Health checks and schema loading have no principal; they never run against subgraphs here (static supergraph).
      if (!('principal' in context) || !context.principal) return;
      request.http?.headers.set(INTERNAL_TOKEN_HEADER, signInternalToken(key, name, context.principal, context.requestId));
      request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
      // Called inside the gateway's `gateway.fetch` span for this subgraph: it becomes the subgraph's parent span.
      if (request.http) injectTraceContext(request.http.headers);
      // Request deadline: no fetch is started once too little is left for the subgraph to do anything in it.
      const left = remainingMs();
      if (left !== undefined) {
        const budget = subgraphBudgetMs(left);
        if (budget <= 0) throw upstreamTimeout(name);
        request.http?.headers.set(DEADLINE_HEADER, String(budget));
      }
    },
  });
  source.subgraph = name;
  source.observe = observe;
  return source;
}
