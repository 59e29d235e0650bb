// The two HTTP calls every test harness makes: a GraphQL POST (to the gateway or straight to a subgraph) and a read of
// a sandbox provider's own API with its bearer key, to compute what FinGraph should answer from the source.

export interface GraphQLResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
    /** The response's own extensions (the gateway's `traceId` when tracing is on). */
    extensions?: Record<string, unknown>;
  };
}

export interface GraphQLRequest {
  readonly variables?: Record<string, unknown>;
  /** A client's bearer token. */
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export async function postGraphQL(url: string, query: string, request: GraphQLRequest = {}): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
      ...request.headers,
    },
    body: JSON.stringify({ query, variables: request.variables ?? {} }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] };
}

/** A GET on a sandbox provider with its bearer key; a POST of `body` as JSON when one is given. */
export async function readUpstream(sandboxUrl: string, path: string, key: string, body?: unknown): Promise<unknown> {
  const response = await fetch(
    /^https?:/.test(path) ? path : `${sandboxUrl}${path}`,
    body === undefined
      ? { headers: { authorization: `Bearer ${key}` } }
      : { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  const text = await response.text();
  return response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text;
}
