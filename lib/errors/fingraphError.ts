// Errors are values with codes: every error we raise on purpose is a FinGraphError, made through the helpers below.
import { GraphQLError } from 'graphql';
import { ErrorCode, type ErrorReason, httpStatusFor } from './codes.js';

/** What an error tells the client beside its code; a `reason` is one of the listed ErrorReason values. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null>> & { readonly reason?: ErrorReason };

/** How the HTTP edge answers a request refused with this error alone, where the code's usual status does not fit. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export class FinGraphError extends GraphQLError {
  readonly code: ErrorCode;
  /** Set only where the answer differs from httpStatusFor (405 with `Allow`, 403 to a preflight). */
  readonly http: HttpAnswer | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, http?: HttpAnswer) {
    const status = http?.status ?? httpStatusFor[code];
    super(message, {
      extensions: { ...details, code, ...(status ? { http: { status } } : {}) },
    });
    this.code = code;
    this.http = http;
    this.name = 'FinGraphError';
  }
}

export const unauthenticated = (message = 'Authentication required') => new FinGraphError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'Not allowed', details: ErrorDetails = {}) => new FinGraphError(ErrorCode.FORBIDDEN, message, details);
export const badUserInput = (message: string, details: ErrorDetails = {}) => new FinGraphError(ErrorCode.BAD_USER_INPUT, message, details);
export const notFound = (what: string) => new FinGraphError(ErrorCode.NOT_FOUND, `${what} not found`);
export const consentRequired = (institutionId: string) =>
  new FinGraphError(ErrorCode.CONSENT_REQUIRED, `The customer's consent for ${institutionId} is missing or expired`, {
    institutionId,
  });
/** A credit pull whose permissible purpose needs the customer's consent on record, and none is. */
export const purposeConsentRequired = (purpose: string) =>
  new FinGraphError(ErrorCode.CONSENT_REQUIRED, `The customer's consent for a ${purpose} pull is not on record`, { purpose });
/** Credit consents cannot be read or written: a pull that needs one is refused, and a grant must be retried. */
export const consentStoreUnavailable = () =>
  new FinGraphError(ErrorCode.UPSTREAM_UNAVAILABLE, 'Credit consents cannot be read right now; retry shortly', {
    reason: 'CONSENT_STORE_UNAVAILABLE',
  });
/** A HARD pull for this customer and purpose was made moments ago: another would put a second one on their file. */
export const hardInquiryRecent = () =>
  new FinGraphError(
    ErrorCode.BAD_USER_INPUT,
    'A hard inquiry for this customer and purpose was made in the last 15 minutes; ask for a SOFT one or wait',
    {
      argument: 'inquiry',
      reason: 'HARD_INQUIRY_RECENT',
    },
  );
export const idempotencyConflict = () =>
  new FinGraphError(ErrorCode.IDEMPOTENCY_CONFLICT, 'This idempotency key was already used with a different request');
/** The idempotency store cannot be reached: a payment is refused rather than executed unprotected. Safe to retry. */
export const idempotencyStoreUnavailable = () =>
  new FinGraphError(ErrorCode.UPSTREAM_UNAVAILABLE, 'Payments cannot be initiated right now; retry with the same idempotency key', {
    reason: 'IDEMPOTENCY_STORE_UNAVAILABLE',
  });
/**
 * A payment begun longer ago than the providers replay an idempotency key, whose outcome was never recorded: trying it
 * again could pay twice, so it is refused until someone has looked at the provider's records.
 */
export const paymentOutcomeUnknown = () =>
  new FinGraphError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    'The outcome of this payment could not be confirmed; do not retry it, contact support',
    {
      reason: 'PAYMENT_OUTCOME_UNKNOWN',
    },
  );
/**
 * A document the trusted-documents manifest does not hold, refused before it is parsed (TRUSTED_DOCUMENTS=trusted-only).
 * It is the whole answer, so it carries its own HTTP status (403); a FORBIDDEN field in a partial answer does not.
 */
export function untrustedDocument(): FinGraphError {
  const error = new FinGraphError(
    ErrorCode.FORBIDDEN,
    'Only trusted documents run here: send a trusted operation by its hash, or its exact text',
    { reason: 'UNTRUSTED_DOCUMENT' },
  );
  error.extensions.http = { status: 403 };
  return error;
}
/** The audit trail has no room for this request's record (its store is down or its queue full): regulated work is
 * refused rather than done unaudited. Retry shortly. */
export const auditUnavailable = () =>
  new FinGraphError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The audit trail cannot record this request right now; retry shortly', {
    reason: 'AUDIT_UNAVAILABLE',
  });
export const upstreamUnavailable = (provider: string) =>
  new FinGraphError(ErrorCode.UPSTREAM_UNAVAILABLE, `${provider} is unavailable`, { provider });
export const upstreamTimeout = (provider: string) =>
  new FinGraphError(ErrorCode.UPSTREAM_TIMEOUT, `${provider} did not answer in time`, { provider });

// Shape limits and request hygiene at the gateway's edge (gateway/plugins/limits, gateway/plugins/hygiene).
/**
 * An operation over one of the gateway's limits (a shape limit: `depth`, `aliases`, `tokens`, …; or `cost`), refused
 * before any subgraph is called: names the limit and its figures, never the schema.
 */
export const queryTooComplex = (limit: string, max: number, actual: number) =>
  new FinGraphError(ErrorCode.QUERY_TOO_COMPLEX, `Operation refused before it ran: ${limit} is ${actual}, over the limit of ${max}`, {
    limit,
    max,
    actual,
  });
/** A request a browser could have sent from another site without asking first (a form post, a simple GET). */
export const preflightRequired = () =>
  new FinGraphError(
    ErrorCode.BAD_USER_INPUT,
    'Refused as a possible cross-site request forgery: send Content-Type: application/json, or a non-empty ' +
      'Apollo-Require-Preflight or X-Apollo-Operation-Name header',
    { reason: 'PREFLIGHT_REQUIRED' },
  );
/** GET must stay safe to repeat and to prefetch, so only queries may use it. */
export const mutationOverGet = (operation: string) =>
  new FinGraphError(
    ErrorCode.BAD_USER_INPUT,
    `A ${operation} cannot be sent over GET; send it as a POST`,
    { reason: 'MUTATION_OVER_GET' },
    { status: 405, headers: { allow: 'POST' } },
  );
export const batchingDisabled = () =>
  new FinGraphError(ErrorCode.BAD_USER_INPUT, 'Batched requests (an array of operations) are not accepted; send one operation', {
    reason: 'BATCHING_DISABLED',
  });
export const batchTooLarge = (max: number, actual: number) =>
  new FinGraphError(ErrorCode.BAD_USER_INPUT, `A batch of ${actual} operations is over the limit of ${max}`, {
    reason: 'BATCH_TOO_LARGE',
    max,
    actual,
  });
/** A CORS preflight from an origin not on the allow-list (or for a method other than GET and POST): no CORS header
 * is sent, so the browser goes no further. */
export const corsRefused = () =>
  new FinGraphError(ErrorCode.FORBIDDEN, 'Cross-origin requests from this origin are not allowed', {}, { status: 403 });

export function isFinGraphError(error: unknown): error is FinGraphError {
  return error instanceof FinGraphError;
}
