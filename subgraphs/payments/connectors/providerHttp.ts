// Calls to the payment providers: undici with keep-alive, a deadline per call, and transport failures mapped to
// UPSTREAM_UNAVAILABLE / UPSTREAM_TIMEOUT naming the provider. Unlike lib/http/upstreamClient.ts (reads only) this
// also POSTs; a POST that moves money always carries an idempotency key, and is never retried here: the caller's
// retry, with the same key, is what makes a lost answer safe.
import { Agent, request, type Dispatcher } from 'undici';
import { upstreamTimeout, upstreamUnavailable } from '../../../lib/errors/index.js';
import type { Logger } from '../../../lib/logging/logger.js';

export interface ProviderResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly json: unknown;
}

export class ProviderHttp {
  private readonly base: URL;
  private readonly dispatcher: Dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 32 });

  constructor(readonly provider: string, baseUrl: string, private readonly timeoutMs: number, private readonly logger: Logger) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  /** An absolute URL is accepted only on the provider's own origin and base path (a Location header, a link). */
  private urlFor(path: string): URL {
    const url = /^https?:\/\//.test(path) ? new URL(path) : new URL(path.replace(/^\//, ''), this.base);
    if (url.origin !== this.base.origin || !url.pathname.startsWith(this.base.pathname)) throw upstreamUnavailable(this.provider);
    return url;
  }

  /** The absolute URL of a resource, for APIs that link resources by URL. */
  hrefFor(path: string): string {
    return this.urlFor(path).toString();
  }

  async send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<ProviderResponse> {
    const url = this.urlFor(path);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await request(url, { method, headers: { accept: 'application/json', ...headers }, body: body ?? null, signal: controller.signal, dispatcher: this.dispatcher });
      const text = await response.body.text();
      let json: unknown = undefined;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        throw upstreamUnavailable(this.provider);
      }
      return { status: response.statusCode, headers: response.headers, json };
    } catch (error) {
      if (error instanceof Error && error.name === 'FinGraphError') throw error;
      const failure = controller.signal.aborted ? 'timeout' : 'unreachable';
      this.logger.warn({ provider: this.provider, method, failure }, 'payment provider transport failure');
      throw failure === 'timeout' ? upstreamTimeout(this.provider) : upstreamUnavailable(this.provider);
    } finally {
      clearTimeout(timer);
    }
  }

  /** An answer the connector cannot use: logged with its status (never the body), UPSTREAM_UNAVAILABLE to the caller. */
  unusable(status: number, what: string) {
    this.logger.warn({ provider: this.provider, status, what }, 'payment provider answer unusable');
    return upstreamUnavailable(this.provider);
  }
}
