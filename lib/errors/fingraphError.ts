// Errors are values with codes: every error we raise on purpose is a FinGraphError, made through the helpers below.
import { GraphQLError } from 'graphql';
import { ErrorCode, type ErrorReason, httpStatusFor } from './codes.js';

/** What an error tells the client beside its code; a `reason` is one of the listed ErrorReason values. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null>> & { readonly reason?: ErrorReason };

export class FinGraphError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    const status = httpStatusFor[code];
    super(message, {
      extensions: { ...details, code, ...(status ? { http: { status } } : {}) },
    });
    this.code = code;
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
/** An operation over one of the gateway's limits (`limit` names it: 'cost', …), refused before any subgraph is called. */
export const queryTooComplex = (limit: string, max: number, actual: number) =>
  new FinGraphError(ErrorCode.QUERY_TOO_COMPLEX, `This operation is over the ${limit} limit (${actual} > ${max})`, { limit, max, actual });
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
export const upstreamUnavailable = (provider: string) =>
  new FinGraphError(ErrorCode.UPSTREAM_UNAVAILABLE, `${provider} is unavailable`, { provider });
export const upstreamTimeout = (provider: string) =>
  new FinGraphError(ErrorCode.UPSTREAM_TIMEOUT, `${provider} did not answer in time`, { provider });

export function isFinGraphError(error: unknown): error is FinGraphError {
  return error instanceof FinGraphError;
}
