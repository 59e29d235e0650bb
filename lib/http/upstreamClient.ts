// The one way FinGraph calls an upstream API: undici with keep-alive, a deadline per call, and transport failures mapped
// to UPSTREAM_UNAVAILABLE / UPSTREAM_TIMEOUT. Status codes (and, for connectors that need them, the headers and JSON
// of any answer, 2xx or not) are handed back to the connector, which alone knows its provider's error format. A POST
// is never retried here and may carry an Idempotency-Key: the caller's retry with the same key is what makes a lost
// answer safe. Nothing here logs or returns an upstream URL or body in an error: errors and logs name the provider.
// Each call is a CLIENT span (lib/telemetry) named after the provider and method, and carries `traceparent`.
import { Agent, type Dispatcher, request } from 'undici';
import type { z } from 'zod';
import { remainingMs } from '../deadline/index.js';
import { type FinGraphError, upstreamTimeout, upstreamUnavailable } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import { injectTraceContext, recordClientStatus, upstreamSpan } from '../telemetry/spans.js';

export interface UpstreamClientOptions {
  /** Provider id, used in errors and logs instead of the URL. */
  readonly provider: string;
  readonly baseUrl: string;
  /** Deadline for one call, headers and body together. */
  readonly timeoutMs: number;
  readonly dispatcher?: Dispatcher;
  /** Where transport failures are logged (warn, provider and method only); default: not logged. */
  readonly logger?: Logger;
  /** Told of every call made, when it ends (the service's latency histogram, lib/metrics); default: no one. */
  readonly observe?: (call: UpstreamObservation) => void;
}

/** How an upstream call ended: its status class, or no answer (refused or reset; cut by its deadline). */
export type UpstreamOutcome = '2xx' | '3xx' | '4xx' | '5xx' | 'unreachable' | 'timeout';

/** One call, as an observer sees it: the provider id (never the URL), how it ended, and how long it took. */
export interface UpstreamObservation {
  readonly provider: string;
  readonly outcome: UpstreamOutcome;
  readonly durationSeconds: number;
}

/** A status's class; anything outside 2xx-4xx (a 1xx cannot end a call) counts with the server's failures. */
function statusClass(status: number): UpstreamOutcome {
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 400 && status < 500) return '4xx';
  return '5xx';
}

export interface UpstreamCall {
  /** A path below the base URL, or an absolute URL on the base URL's origin (a pagination link). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface UpstreamPost extends UpstreamCall {
  /** Sent as `Idempotency-Key`: a repeat under the same key is the provider's to answer once (a payment, a cancel). */
  readonly idempotencyKey?: string;
}

/** A POST body: JSON (a vendor media type may replace application/json), or a form, as Stripe takes it. */
export type UpstreamBody = { readonly json: unknown; readonly contentType?: string } | { readonly form: Readonly<Record<string, string>> };

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** An answer of any status with its JSON parsed; `json` is undefined for an empty body (a 201 with a Location). */
export interface UpstreamJsonResponse {
  readonly status: number;
  readonly headers: UpstreamResponse['headers'];
  readonly json: unknown;
}

/** What an unusable answer is logged with: its status, the failing fields' paths, and what the connector expected. */
export interface UnusableDetails {
  readonly status: number;
  readonly issues?: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }>;
  /** The kind of answer the connector expected ("payment intent"), never anything taken from the answer. */
  readonly what?: string;
}

/** Keep-alive connections each provider may hold: a slow provider exhausts its own pool, never another's. */
const CONNECTIONS_PER_PROVIDER = 32;

export class UpstreamClient {
  readonly provider: string;
  private readonly base: URL;
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: UpstreamClientOptions) {
    this.provider = options.provider;
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: CONNECTIONS_PER_PROVIDER, pipelining: 1 });
  }

  /**
   * The error for an answer the connector cannot use (an unexpected status, a payload that fails validation), logged
   * with what helps an operator (status, the failing fields' paths) and never the body, which may hold customer data.
   */
  unusable(details: UnusableDetails): ReturnType<typeof upstreamUnavailable> {
    this.options.logger?.warn(
      {
        provider: this.provider,
        status: details.status,
        ...(details.what ? { what: details.what } : {}),
        ...(details.issues ? { invalidFields: details.issues.slice(0, 10).map((issue) => issue.path.map(String).join('.')) } : {}),
      },
      'upstream answer unusable',
    );
    return upstreamUnavailable(this.provider);
  }

  /**
   * The bearer header for a tenant's API key at this provider; a tenant with no key configured is the provider being
   * unusable for it (logged as such), never a call made without credentials.
   */
  bearer(key: string | undefined): { authorization: string } {
    if (!key) throw this.unusable({ status: 0, what: 'no API key for this tenant' });
    return { authorization: `Bearer ${key}` };
  }

  /** Resolves a call to a URL, refusing any absolute URL that leaves the configured origin and base path. */
  private urlFor(call: UpstreamCall): URL {
    const url = /^https?:\/\//.test(call.path) ? new URL(call.path) : new URL(call.path.replace(/^\//, ''), this.base);
    if (url.origin !== this.base.origin || !url.pathname.startsWith(this.base.pathname)) {
      throw upstreamUnavailable(this.provider);
    }
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  /** The absolute URL of a resource on this provider, for APIs that link resources by URL in a request body. */
  hrefFor(path: string): string {
    return this.urlFor({ path }).toString();
  }

  async get(call: UpstreamCall): Promise<UpstreamResponse> {
    return this.send('GET', call);
  }

  /** POST a JSON or form body. Never retried here: the caller knows whether the call is safe to repeat. */
  async post(call: UpstreamPost, body: UpstreamBody): Promise<UpstreamResponse> {
    const [contentType, text] =
      'form' in body
        ? ['application/x-www-form-urlencoded', new URLSearchParams(body.form).toString()]
        : [body.contentType ?? 'application/json', JSON.stringify(body.json)];
    const idempotency: Record<string, string> = call.idempotencyKey === undefined ? {} : { 'idempotency-key': call.idempotencyKey };
    return this.send('POST', { ...call, headers: { 'content-type': contentType, ...idempotency, ...call.headers } }, text);
  }

  private send(method: 'GET' | 'POST', call: UpstreamCall, body?: string): Promise<UpstreamResponse> {
    return upstreamSpan(this.provider, method, async (span) => {
      const response = await this.sendUntraced(method, call, body);
      recordClientStatus(span, response.status);
      return response;
    });
  }

  private async sendUntraced(method: 'GET' | 'POST', call: UpstreamCall, body?: string): Promise<UpstreamResponse> {
    const url = this.urlFor(call);
    // The request's deadline (lib/deadline): past it, no call is started (its answer could no longer be used), and a
    // call started before it is cut at it, so the subgraph answers with what it has while the gateway still waits.
    const left = remainingMs();
    if (left !== undefined && left <= 0) {
      this.options.logger?.warn(
        { provider: this.provider, method, failure: 'deadline' },
        'upstream call not started: request deadline passed',
      );
      throw upstreamTimeout(this.provider);
    }
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(),
      left === undefined ? this.options.timeoutMs : Math.min(this.options.timeoutMs, left),
    );
    // A call not started (deadline passed, above) is not observed: no upstream was asked, so it has no latency.
    const started = process.hrtime.bigint();
    const observed = (outcome: UpstreamOutcome) =>
      this.options.observe?.({ provider: this.provider, outcome, durationSeconds: Number(process.hrtime.bigint() - started) / 1e9 });
    // The call's span (send) is active here: providers ignore `traceparent`, the sandbox may log it.
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    injectTraceContext({ set: (name, value) => (headers[name] = value) });
    try {
      const response = await request(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
        dispatcher: this.dispatcher,
      });
      const text = await response.body.text();
      observed(statusClass(response.statusCode));
      return { status: response.statusCode, headers: response.headers, body: text };
    } catch {
      // Neither the URL, the query nor the cause's message is logged: any of them may carry an account id or a key.
      const failure = controller.signal.aborted ? 'timeout' : 'unreachable';
      observed(failure);
      this.options.logger?.warn({ provider: this.provider, method, failure }, 'upstream transport failure');
      throw failure === 'timeout' ? upstreamTimeout(this.provider) : upstreamUnavailable(this.provider);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * GET, then validate the JSON payload into a domain-ready shape at this edge. `errorFor` maps the provider's
   * meaningful non-200 statuses (an expired consent, a missing account) to our codes; any other answer is unusable.
   */
  async read<T>(
    call: UpstreamCall,
    schema: z.ZodType<T>,
    errorFor: (status: number) => FinGraphError | undefined = () => undefined,
  ): Promise<T> {
    return this.validated(await this.getJson(call), schema, errorFor);
  }

  /** POST a JSON body, then validate the answer as read() does (for upstreams that serve reads by POST, like a bureau). */
  async postRead<T>(
    call: UpstreamPost,
    body: unknown,
    schema: z.ZodType<T>,
    errorFor: (status: number) => FinGraphError | undefined = () => undefined,
  ): Promise<T> {
    return this.validated(await this.postJson(call, { json: body }), schema, errorFor);
  }

  private validated<T>(response: UpstreamJsonResponse, schema: z.ZodType<T>, errorFor: (status: number) => FinGraphError | undefined): T {
    if (response.status !== 200) throw errorFor(response.status) ?? this.unusable({ status: response.status });
    const parsed = schema.safeParse(response.json);
    if (!parsed.success) throw this.unusable({ status: response.status, issues: parsed.error.issues });
    return parsed.data;
  }

  /** GET and parse JSON, whatever the status; a body that is not JSON is the upstream failing, not the client. */
  async getJson(call: UpstreamCall): Promise<UpstreamJsonResponse> {
    return this.parsed(await this.get(call));
  }

  /** POST and parse JSON, whatever the status (a provider's error object, an idempotent replay's headers). */
  async postJson(call: UpstreamPost, body: UpstreamBody): Promise<UpstreamJsonResponse> {
    return this.parsed(await this.post(call, body));
  }

  private parsed(response: UpstreamResponse): UpstreamJsonResponse {
    if (response.body === '') return { status: response.status, headers: response.headers, json: undefined };
    try {
      return { status: response.status, headers: response.headers, json: JSON.parse(response.body) as unknown };
    } catch {
      throw this.unusable({ status: response.status, what: 'JSON' });
    }
  }
}
