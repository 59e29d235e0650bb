// The stable error codes clients branch on (../shared/contract/README.md). Every code FinGraph emits is listed here once.

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  CONSENT_REQUIRED: 'CONSENT_REQUIRED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** Emitted by graphql-js/Apollo Server itself for a document that does not parse or validate. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The `extensions.reason` values that refine a code, listed once: a client may branch on them as on codes, so a reason
 * not in this list does not compile, and the documentation test finds each one in the README.
 */
export const ErrorReason = {
  /** FORBIDDEN: the token lacks a scope the field needs. */
  MISSING_SCOPE: 'MISSING_SCOPE',
  /** FORBIDDEN: the field needs a second factor the token's `amr` lacks. */
  STEP_UP_REQUIRED: 'STEP_UP_REQUIRED',
  /** FORBIDDEN: a full credit report asked with a customer token. */
  STAFF_ONLY: 'STAFF_ONLY',
  /** FORBIDDEN: a credit consent given or withdrawn by staff. */
  CUSTOMER_ONLY: 'CUSTOMER_ONLY',
  /** UPSTREAM_UNAVAILABLE: credit consents cannot be read or written. */
  CONSENT_STORE_UNAVAILABLE: 'CONSENT_STORE_UNAVAILABLE',
  /** UPSTREAM_UNAVAILABLE: the idempotency store cannot be reached; retry with the same key. */
  IDEMPOTENCY_STORE_UNAVAILABLE: 'IDEMPOTENCY_STORE_UNAVAILABLE',
  /** UPSTREAM_UNAVAILABLE: a payment's outcome could not be confirmed within the providers' replay window. */
  PAYMENT_OUTCOME_UNKNOWN: 'PAYMENT_OUTCOME_UNKNOWN',
  /** BAD_USER_INPUT: a HARD inquiry for this customer and purpose was made in the last 15 minutes. */
  HARD_INQUIRY_RECENT: 'HARD_INQUIRY_RECENT',
  /** BAD_USER_INPUT: the payment's status no longer allows a cancellation. */
  NOT_CANCELLABLE: 'NOT_CANCELLABLE',
} as const;

export type ErrorReason = (typeof ErrorReason)[keyof typeof ErrorReason];

/** HTTP status for a response that carries nothing but this error. */
export const httpStatusFor: Readonly<Partial<Record<ErrorCode, number>>> = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
  QUERY_TOO_COMPLEX: 400,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
};
