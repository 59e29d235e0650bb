// The HTTP edge shared by the gateway and every subgraph: POST/GET /graphql through Apollo Server, GET /healthz
// (liveness) and GET /readyz (its dependencies answer), one SERVER span per request (lib/telemetry) active for all its
// work, one structured log line per request with its request id (and trace id), and for /graphql a request-end hook
// the gateway's audit trail hangs on, told of refusals too, and a graceful stop (in-flight requests finish, then
// connections close). Building the context may refuse a request (UNAUTHENTICATED → 401) before any GraphQL runs, and
// `admit` may refuse one from its headers before its body is read. Whatever the answer, the body is read to its end
// (bounded) first, or the answer says `Connection: close`: a refusal never breaks the client's keep-alive connection.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import { ErrorCode, FinGraphError, formatError, httpStatusFor } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import { type EdgeSpan, type IncomingTraceContext, startEdgeSpan, untracedEdge } from '../telemetry/spans.js';
import { discardBody, lingerOnClose, readBoundedBody } from './requestBody.js';

/** What the edge knows of a request before any context is built. */
export interface RequestFacts {
  readonly requestId: string;
  /** The request's trace id (W3C, 32 hex digits), for audit records; undefined when tracing is off. */
  readonly traceId: string | undefined;
}

/** How a /graphql request ended, for the audit trail: every one, refused at the edge or answered by Apollo Server. */
export interface RequestEnd<TContext> {
  readonly facts: RequestFacts;
  /** The request as received (headers, socket): read, never kept past the call. */
  readonly request: IncomingMessage;
  /** When the request reached the edge, by the edge's clock. */
  readonly startedAt: Date;
  /** The context built for it; undefined when the edge refused it before (no token, a rate limit, a bad body). */
  readonly context: TContext | undefined;
  /** The code the edge itself refused it with (its FinGraphError's, BAD_USER_INPUT for a body it could not read,
   * INTERNAL_SERVER_ERROR for an unplanned failure); undefined when Apollo Server answered. */
  readonly refusal: string | undefined;
  /** The HTTP status sent; 499 when the client went away first. */
  readonly status: number;
}

/** Who made a request, for its log line: read from the context the request was given, never written by its builder. */
export interface RequestLogFields {
  readonly tenant?: string;
  readonly sub?: string;
  /** The operation's cost in cost units (the gateway's demand control): estimated before execution, actual after it. */
  readonly cost?: { readonly estimated: number; readonly actual?: number };
}

/** Which browser origins may read /graphql's answers (CORS); the gateway's is gateway/plugins/hygiene/cors.ts. */
export interface CorsPolicy {
  /** Headers for any answer to this request: `Vary: Origin`, and the CORS headers only for an allowed origin. */
  headersFor(request: IncomingMessage): Readonly<Record<string, string>>;
  /** The headers that answer a preflight (`OPTIONS`) with 204, or a FinGraphError to refuse it (no CORS header). */
  preflight(request: IncomingMessage): Readonly<Record<string, string>>;
}

/** A plain HTTP route beside /graphql, such as a provider's webhook endpoint. It gets the body as raw bytes. */
export interface RawRoute {
  readonly method: 'POST';
  readonly path: string;
  handle(
    request: { readonly headers: IncomingMessage['headers']; readonly body: Buffer },
    facts: RequestFacts,
  ): Promise<{ readonly status: number; readonly body: unknown }>;
}

export interface GraphQLHttpOptions<TContext extends BaseContext> {
  readonly apollo: ApolloServer<TContext>;
  readonly logger: Logger;
  /** The service's name on its requests' SERVER spans (`fingraph.service`); default "fingraph". */
  readonly service?: string;
  /** A caller's `traceparent`: `join` its trace (subgraphs, reached only by the gateway), or `link` to it from a new
   * trace (the default, for a public edge: see startEdgeSpan). */
  readonly incomingTraceContext?: IncomingTraceContext;
  readonly host: string;
  readonly port: number;
  /** Builds the per-request context, or throws a FinGraphError to refuse the request outright. */
  readonly context: (request: IncomingMessage, facts: RequestFacts, body: unknown) => Promise<TContext>;
  /** Refuses a /graphql request from its URL and headers alone, before its body is read, by throwing a FinGraphError:
   * a caller without credentials cannot make the edge read and parse a body. */
  readonly admit?: (request: IncomingMessage, facts: RequestFacts) => void | Promise<void>;
  /** What the request's log line says of who asked, from the context built for it; default nothing. */
  readonly logFields?: (context: TContext) => RequestLogFields;
  /** Browser origins allowed to read /graphql's answers, and its preflights; without one, OPTIONS is 404. */
  readonly cors?: CorsPolicy;
  /** Told the code of each request the edge refuses before Apollo Server sees it (no token, a rate limit), for
   * metrics: Apollo Server's plugins never see these. */
  readonly onRefused?: (code: string) => void;
  /** Told how every /graphql request ended (after its answer, with its log line), refusals included: the gateway
   * writes its audit record here. It must not throw; what it does is not awaited. */
  readonly onRequestEnd?: (end: RequestEnd<TContext>) => void;
  /** The edge's clock for `RequestEnd.startedAt`; default the system clock. */
  readonly now?: () => Date;
  /** Whether the service's dependencies answer, for GET /readyz (200 or 503); default: ready once started. */
  readonly ready?: () => Promise<boolean>;
  /** Routes served beside /graphql and /healthz. */
  readonly routes?: readonly RawRoute[];
  /** Whether the caller's `x-request-id` (when well-formed) names the request; default true (a subgraph's caller is the
   * gateway). The public gateway takes a client's only when configured to: otherwise it always makes its own. */
  readonly acceptRequestId?: boolean;
  /** Largest request body accepted; default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Most bytes of a refused or over-long body read and thrown away so the connection stays usable; past it (or when
   * the client announces more), the answer closes the connection instead. Default 8 MiB. */
  readonly maxDiscardBytes?: number;
  /** How long a stop waits for in-flight requests before cutting connections; default 10 000 ms. */
  readonly stopGracePeriodMillis?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

const requestIdPattern = /^[A-Za-z0-9._-]{8,128}$/;

/** A body over the limit; `consumed` says whether all of it was read, so the connection can be kept. */
class BodyTooLarge extends Error {
  constructor(readonly consumed: boolean) {
    super('request body too large');
  }
}

/** The client went away before sending its whole body: nobody is left to answer. */
class ClientGone extends Error {}

function refusal(error: FinGraphError): { status: number; headers: Readonly<Record<string, string>>; body: unknown } {
  const status = error.http?.status ?? httpStatusFor[error.code] ?? 400;
  return {
    status,
    headers: { ...error.http?.headers, ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}) },
    body: { errors: [formatError({ message: error.message, extensions: error.extensions })] },
  };
}

export async function startGraphQLHttpServer<TContext extends BaseContext>(options: GraphQLHttpOptions<TContext>): Promise<RunningServer> {
  const { apollo, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const maxDiscardBytes = options.maxDiscardBytes ?? 8 * 1024 * 1024;
  let stopping = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  /** The context each /graphql request was given, for its log line; held only as long as the request itself. */
  const contexts = new WeakMap<IncomingMessage, TContext>();
  /** The code each request the edge refused was refused with, for onRequestEnd. */
  const refusals = new WeakMap<IncomingMessage, string>();
  const now = options.now ?? (() => new Date());

  async function readRawBody(request: IncomingMessage): Promise<Buffer> {
    const read = await readBoundedBody(request, maxBodyBytes, maxDiscardBytes);
    if (read.kind === 'tooLarge') throw new BodyTooLarge(read.consumed);
    if (read.kind === 'gone') throw new ClientGone('client went away before the end of its body');
    return read.body;
  }

  /** Before any answer: what is left of the body is read and dropped, or the answer closes the connection. */
  async function settleBody(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (await discardBody(request, maxDiscardBytes)) return;
    response.setHeader('connection', 'close');
    lingerOnClose(request);
  }

  async function sendJson(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    if (headers.connection === 'close') lingerOnClose(request);
    else await settleBody(request, response);
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(JSON.stringify(body));
  }

  async function refuse(request: IncomingMessage, response: ServerResponse, error: FinGraphError) {
    const { status, headers, body } = refusal(error);
    refusals.set(request, error.code);
    options.onRefused?.(error.code);
    await sendJson(request, response, status, body, headers);
  }

  async function preflight(request: IncomingMessage, response: ServerResponse, cors: CorsPolicy) {
    let headers: Readonly<Record<string, string>>;
    try {
      headers = cors.preflight(request);
    } catch (error) {
      if (error instanceof FinGraphError) return refuse(request, response, error);
      throw error;
    }
    await settleBody(request, response);
    response.writeHead(204, headers);
    response.end();
  }

  const route = (path: string, method: string | undefined) =>
    options.routes?.find((candidate) => candidate.path === path && candidate.method === method);

  async function serveGraphQL(request: IncomingMessage, response: ServerResponse, facts: RequestFacts, url: URL) {
    try {
      await options.admit?.(request, facts);
    } catch (error) {
      if (error instanceof FinGraphError) return refuse(request, response, error);
      throw error;
    }
    let body: unknown;
    if (request.method === 'POST') {
      const text = (await readRawBody(request)).toString('utf8');
      try {
        body = text === '' ? {} : JSON.parse(text);
      } catch {
        refusals.set(request, ErrorCode.BAD_USER_INPUT);
        return sendJson(request, response, 400, {
          errors: [{ message: 'Request body is not valid JSON', extensions: { code: ErrorCode.BAD_USER_INPUT } }],
        });
      }
    }
    let context: TContext;
    try {
      context = await options.context(request, facts, body);
    } catch (error) {
      if (error instanceof FinGraphError) return refuse(request, response, error);
      throw error;
    }
    contexts.set(request, context);
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
      context: async () => context,
    });
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of result.headers) responseHeaders[name] = value;
    // A GET's body, if a client sent one, is unread so far.
    await settleBody(request, response);
    response.writeHead(result.status ?? 200, responseHeaders);
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) response.write(chunk);
      response.end();
    }
  }

  /** The route a span may name: one the code defines, never a client's path (a 404's path may hold anything). */
  const tracedRoute = (path: string): string | undefined =>
    path === '/graphql' || options.routes?.some((candidate) => candidate.path === path) ? path : undefined;

  const server = createServer((request, response) => {
    const started = process.hrtime.bigint();
    const startedAt = now();
    const given = request.headers['x-request-id'];
    const requestId = options.acceptRequestId !== false && typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    const url = new URL(request.url ?? '/', 'http://localhost');
    // Probes are not traced: a kubelet's /healthz every few seconds would be most of the collector's spans.
    const span: EdgeSpan =
      url.pathname === '/healthz' || url.pathname === '/readyz'
        ? untracedEdge()
        : startEdgeSpan({
            // Not the request id: a client may choose it (x-request-id), and the request's log lines join it to the trace.
            service: options.service ?? 'fingraph',
            method: request.method ?? 'GET',
            route: tracedRoute(url.pathname),
            headers: request.headers,
            // A webhook comes from a provider, not from our gateway: its traceparent is never a parent of ours.
            incoming: url.pathname === '/graphql' ? (options.incomingTraceContext ?? 'link') : 'link',
          });
    span.within(() => handle(request, response, { started, startedAt }, { requestId, traceId: span.traceId }, url, span));
  });

  function handle(
    request: IncomingMessage,
    response: ServerResponse,
    { started, startedAt }: { started: bigint; startedAt: Date },
    facts: RequestFacts,
    url: URL,
    span: EdgeSpan,
  ) {
    inFlight += 1;
    response.setHeader('x-request-id', facts.requestId);
    // On every /graphql answer, refusals included: a browser app may read why it was refused only with these. A
    // preflight sets its own, and none when it is refused.
    if (options.cors && url.pathname === '/graphql' && request.method !== 'OPTIONS') {
      for (const [name, value] of Object.entries(options.cors.headersFor(request))) response.setHeader(name, value);
    }
    if (stopping) response.setHeader('connection', 'close');
    response.on('close', () => {
      inFlight -= 1;
      const context = contexts.get(request);
      const who = context && options.logFields ? options.logFields(context) : {};
      const status = response.headersSent ? response.statusCode : 499;
      // Written with the request's span active (a 'close' listener runs in whatever context emitted it), so the line
      // carries its trace id; the span ends after it, with the status the log line gives.
      span.within(() =>
        logger.info(
          {
            requestId: facts.requestId,
            method: request.method,
            path: (request.url ?? '').split('?')[0],
            // Closed before any answer was sent: the client went away (or a stop cut it past its grace). 499 is nginx's
            // "client closed request"; it only ever appears in our log, never on the wire.
            status,
            durationMs: Number(process.hrtime.bigint() - started) / 1e6,
            ...(who.tenant ? { tenant: who.tenant } : {}),
            ...(who.sub ? { sub: who.sub } : {}),
            ...(who.cost ? { cost: who.cost } : {}),
          },
          'request',
        ),
      );
      if (options.onRequestEnd && url.pathname === '/graphql' && request.method !== 'OPTIONS') {
        try {
          options.onRequestEnd({ facts, request, startedAt, context, refusal: refusals.get(request), status });
        } catch (error) {
          logger.error(
            { requestId: facts.requestId, err: error instanceof Error ? error.message : String(error) },
            'request end hook failed',
          );
        }
      }
      span.end(status);
      if (stopping && inFlight === 0) drained?.();
    });
    (async () => {
      if (url.pathname === '/healthz' && request.method === 'GET') {
        await sendJson(request, response, stopping ? 503 : 200, { status: stopping ? 'stopping' : 'ok' });
      } else if (url.pathname === '/readyz' && request.method === 'GET') {
        // A check that fails is an answer too: not ready (503), not a 500.
        const ready = !stopping && (options.ready ? await options.ready().catch(() => false) : true);
        await sendJson(request, response, ready ? 200 : 503, { status: stopping ? 'stopping' : ready ? 'ready' : 'not ready' });
      } else if (url.pathname === '/graphql' && (request.method === 'POST' || request.method === 'GET')) {
        await serveGraphQL(request, response, facts, url);
      } else if (url.pathname === '/graphql' && request.method === 'OPTIONS' && options.cors) {
        await preflight(request, response, options.cors);
      } else if (route(url.pathname, request.method)) {
        const raw = route(url.pathname, request.method) as RawRoute;
        const result = await raw.handle({ headers: request.headers, body: await readRawBody(request) }, facts);
        await sendJson(request, response, result.status, result.body);
      } else {
        await sendJson(request, response, 404, { errors: [{ message: 'Not found', extensions: { code: ErrorCode.NOT_FOUND } }] });
      }
    })()
      .catch(async (error: unknown) => {
        if (error instanceof ClientGone) {
          // No one to answer; the request's log line says 499.
          response.destroy();
          return;
        }
        if (error instanceof BodyTooLarge) {
          refusals.set(request, ErrorCode.BAD_USER_INPUT);
          // Past the discard bound the rest of the body stays unread, so the connection cannot carry another request.
          await sendJson(
            request,
            response,
            413,
            { errors: [{ message: 'Request body too large', extensions: { code: ErrorCode.BAD_USER_INPUT } }] },
            error.consumed ? {} : { connection: 'close' },
          );
          return;
        }
        logger.error(
          { requestId: facts.requestId, err: error instanceof Error ? { type: error.name, message: error.message } : String(error) },
          'request failed',
        );
        refusals.set(request, ErrorCode.INTERNAL_SERVER_ERROR);
        if (!response.headersSent)
          await sendJson(request, response, 500, {
            errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }],
          });
        else response.end();
      })
      .catch((error: unknown) => {
        // Only a failure to answer at all lands here (the client is gone); nothing is left to tell it.
        logger.warn({ requestId: facts.requestId, err: error instanceof Error ? error.name : String(error) }, 'answer failed');
        response.destroy();
      });
  }
  server.keepAliveTimeout = 65_000;

  await apollo.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/graphql`;

  return {
    url,
    port,
    server,
    async close() {
      if (stopping) return;
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, options.stopGracePeriodMillis ?? 10_000).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
      await apollo.stop();
    },
  };
}
