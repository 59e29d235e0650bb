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
  /** FORBIDDEN: the gateway runs only trusted documents (TRUSTED_DOCUMENTS=trusted-only) and this text is not one. */
  UNTRUSTED_DOCUMENT: 'UNTRUSTED_DOCUMENT',
  /** UPSTREAM_UNAVAILABLE: credit consents cannot be read or written. */
  CONSENT_STORE_UNAVAILABLE: 'CONSENT_STORE_UNAVAILABLE',
  /** UPSTREAM_UNAVAILABLE: the idempotency store cannot be reached; retry with the same key. */
  IDEMPOTENCY_STORE_UNAVAILABLE: 'IDEMPOTENCY_STORE_UNAVAILABLE',
  /** UPSTREAM_UNAVAILABLE: the audit trail cannot take the record this request would need (lib/audit/sink.ts). */
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  /** UPSTREAM_UNAVAILABLE: a payment's outcome could not be confirmed within the providers' replay window. */
  PAYMENT_OUTCOME_UNKNOWN: 'PAYMENT_OUTCOME_UNKNOWN',
  /** BAD_USER_INPUT: a HARD inquiry for this customer and purpose was made in the last 15 minutes. */
  HARD_INQUIRY_RECENT: 'HARD_INQUIRY_RECENT',
  /** BAD_USER_INPUT: the payment's status no longer allows a cancellation. */
  NOT_CANCELLABLE: 'NOT_CANCELLABLE',
  // Request hygiene at the gateway's edge (gateway/plugins/hygiene).
  /** BAD_USER_INPUT: a request a browser could send cross-site without a preflight (CSRF prevention). */
  PREFLIGHT_REQUIRED: 'PREFLIGHT_REQUIRED',
  /** BAD_USER_INPUT, HTTP 405: a mutation (or subscription) sent over GET. */
  MUTATION_OVER_GET: 'MUTATION_OVER_GET',
  /** BAD_USER_INPUT: an array of operations in one body, with batching off. */
  BATCHING_DISABLED: 'BATCHING_DISABLED',
  /** BAD_USER_INPUT: more operations in one batched body than allowed. */
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
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
