// How the gateway calls a subgraph: undici's fetch over one keep-alive pool, and on every fetch a fresh internal token
// for that subgraph carrying the verified principal and the request id. The client's own token never goes further.
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { Agent, fetch as undiciFetch } from 'undici';
import { INTERNAL_TOKEN_HEADER, REQUEST_ID_HEADER, deriveSubgraphKey, signInternalToken } from '../lib/auth/internalToken.js';
import type { GatewayContext } from './context.js';

const pool = new Agent({ keepAliveTimeout: 30_000, connections: 128 });

export function createSubgraphDataSource(name: string, url: string, masterSecret: Buffer): RemoteGraphQLDataSource<GatewayContext> {
  const key = deriveSubgraphKey(masterSecret, name);
  return new RemoteGraphQLDataSource<GatewayContext>({
    url,
    // undici's Response is a WHATWG Response; the gateway's Fetcher type is the narrower node-fetch shape it reads.
    fetcher: ((input: string, init?: Parameters<typeof undiciFetch>[1]) =>
      undiciFetch(input, { ...init, dispatcher: pool })) as unknown as Fetcher,
    willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
      // Health checks and schema loading have no principal; they never run against subgraphs here (static supergraph).
      if (!('principal' in context) || !context.principal) return;
      request.http?.headers.set(INTERNAL_TOKEN_HEADER, signInternalToken(key, name, context.principal, context.requestId));
      request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
    },
  });
}
