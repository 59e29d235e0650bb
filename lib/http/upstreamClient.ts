// The one way FinGraph calls an upstream API: undici with keep-alive, a deadline per call, and transport failures mapped
// to UPSTREAM_UNAVAILABLE / UPSTREAM_TIMEOUT. Status codes are handed back to the connector, which alone knows its
// provider's error format. Nothing here logs or returns an upstream URL: errors and logs name the provider only.
import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { upstreamTimeout, upstreamUnavailable, type FinGraphError } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';

export interface UpstreamClientOptions {
  /** Provider id, used in errors and logs instead of the URL. */
  readonly provider: string;
  readonly baseUrl: string;
  /** Deadline for one call, headers and body together. */
  readonly timeoutMs: number;
  readonly dispatcher?: Dispatcher;
  /** Where transport failures are logged (warn, provider and method only); default: not logged. */
  readonly logger?: Logger;
}

export interface UpstreamCall {
  /** A path below the base URL, or an absolute URL on the base URL's origin (a pagination link). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
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
  unusable(details: { status: number; issues?: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }> }): ReturnType<typeof upstreamUnavailable> {
    this.options.logger?.warn({
      provider: this.provider, status: details.status,
      ...(details.issues ? { invalidFields: details.issues.slice(0, 10).map((issue) => issue.path.map(String).join('.')) } : {}),
    }, 'upstream answer unusable');
    return upstreamUnavailable(this.provider);
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

  async get(call: UpstreamCall): Promise<UpstreamResponse> {
    return this.send('GET', call);
  }

  /** POST a JSON body. Never retried here: the caller knows whether the call is safe to repeat. */
  async post(call: UpstreamCall, body: unknown): Promise<UpstreamResponse> {
    return this.send('POST', call, JSON.stringify(body));
  }

  private async send(method: 'GET' | 'POST', call: UpstreamCall, body?: string): Promise<UpstreamResponse> {
    const url = this.urlFor(call);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await request(url, {
        method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers },
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
        dispatcher: this.dispatcher,
      });
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body: text };
    } catch {
      // Neither the URL, the query nor the cause's message is logged: any of them may carry an account id or a key.
      const failure = controller.signal.aborted ? 'timeout' : 'unreachable';
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
  async read<T>(call: UpstreamCall, schema: z.ZodType<T>, errorFor: (status: number) => FinGraphError | undefined = () => undefined): Promise<T> {
    const { status, json } = await this.getJson(call);
    if (status !== 200) throw errorFor(status) ?? this.unusable({ status });
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw this.unusable({ status, issues: parsed.error.issues });
    return parsed.data;
  }

  /** POST a JSON body, then validate the answer as read() does (for upstreams that serve reads by POST, like a bureau). */
  async postRead<T>(call: UpstreamCall, body: unknown, schema: z.ZodType<T>, errorFor: (status: number) => FinGraphError | undefined = () => undefined): Promise<T> {
    const response = await this.post(call, body);
    if (response.status !== 200) throw errorFor(response.status) ?? this.unusable({ status: response.status });
    let json: unknown;
    try {
      json = JSON.parse(response.body) as unknown;
    } catch {
      throw upstreamUnavailable(this.provider);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw this.unusable({ status: response.status, issues: parsed.error.issues });
    return parsed.data;
  }

  /** GET and parse JSON; a body that is not JSON is the upstream failing, not the client. */
  async getJson(call: UpstreamCall): Promise<{ status: number; headers: UpstreamResponse['headers']; json: unknown }> {
    const response = await this.get(call);
    try {
      return { status: response.status, headers: response.headers, json: JSON.parse(response.body) as unknown };
    } catch {
      throw upstreamUnavailable(this.provider);
    }
  }
}
