// The contract between the server and each simulated provider: routes with templates, and the provider's own way of
// saying "unavailable", "failed" and "no such route" in its wire format.
import type { IncomingHttpHeaders } from 'node:http';

export const providerIds = [
  'northwind',
  'albion',
  'lakeside',
  'pacific',
  'ecb',
  'directory',
  'processor',
  'transfers',
  'kyc',
  'sanctions',
  'bureau',
] as const;
export type ProviderId = (typeof providerIds)[number];

export interface SandboxRequest {
  readonly method: string;
  /** Path relative to the provider's base path, e.g. "/accounts/abc/balances". */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Decoded path parameters of the matched route template. */
  readonly params: Readonly<Record<string, string>>;
  /** "http://<Host header>", for absolute links back to the sandbox. */
  readonly origin: string;
  /** The request target as received (base path and query included). */
  readonly target: string;
  /** The raw request body ("" for GET). */
  readonly body: string;
}

export interface SandboxResponse {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Relative to the base path, with {Param} placeholders; also the call-counter key after the method. */
  readonly template: string;
  handle(request: SandboxRequest): SandboxResponse | Promise<SandboxResponse>;
}

/** A provider's own control route, mounted at /_control/<provider id><template>. */
export interface ProviderControlRoute {
  readonly method: 'GET' | 'POST';
  readonly template: string;
  handle(params: Record<string, string>, body: string): SandboxResponse;
}

export type FailureKind = 'unavailable' | 'internal' | 'route_not_found';

export interface Provider {
  readonly id: ProviderId;
  readonly basePath: string;
  readonly routes: readonly Route[];
  failure(kind: FailureKind, request: SandboxRequest): SandboxResponse;
  /** Last touch on every response of this provider (e.g. Open Banking's x-fapi-interaction-id). */
  finish?(request: SandboxRequest, response: SandboxResponse): SandboxResponse;
  /** Provider-specific switches for tests (webhook duplicates, forced settlement…), under /_control/<id>/. */
  readonly control?: readonly ProviderControlRoute[];
  /** Back to the seeded state, on /_control/reset. */
  reset?(): void;
}
