// What the webhook pipeline needs from a provider, and nothing of its wire format: a signature check over the raw
// body, a parser from its event schema to a ParsedEvent, and (for a provider whose retries resend an old signed
// body) a way to read a payment's current status. Each provider implements it in its own connectors/<provider>/.
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderId } from '../domain.js';
import type { PaymentStatus } from '../statusMachine.js';

export type SignatureVerdict = { ok: true; timestamp?: number } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'stale' };

export interface ParsedEvent {
  readonly id: string;
  readonly type: string;
  readonly upstreamId: string;
  readonly status: PaymentStatus | undefined;
  /** The provider's signed time of the event (ms). */
  readonly at: number | undefined;
}

/** A well-signed event FinGraph does not follow (another object type): acknowledged, nothing applied. */
export const IGNORED = 'ignored';

export interface WebhookSource {
  readonly provider: ProviderId;
  verify(headers: IncomingHttpHeaders, body: Buffer): SignatureVerdict;
  parse(json: unknown): ParsedEvent | typeof IGNORED | undefined;
  /** For an event older than the tolerance: the payment's status as the provider reports it now. */
  currentStatus?(tenant: string, upstreamId: string): Promise<PaymentStatus | undefined>;
}

/** A header sent once, as a string; a missing or repeated one is undefined (and fails its signature check). */
export function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}
