// The one interface to where payments live (Redis; an in-process stand-in only for `npm start` without Redis):
// idempotency records, payment records with their status history, the listings per holder and per account, the
// provider-id → payment map the webhooks use, and the webhook event ids already seen. Every multi-step change is one
// atomic step in the backend (a Lua script in Redis), never a read then a write.
import type { Payment, PaymentPage, PaymentRecord, ProviderId, StatusChange } from '../domain.js';

export type Claim =
  /** The caller holds the key's lease and must make the payment (under `paymentId`). */
  | { readonly kind: 'claimed'; readonly paymentId: string }
  /** The payment was made: answer with it. */
  | { readonly kind: 'done'; readonly paymentId: string }
  /** Another caller holds the lease: wait for it. */
  | { readonly kind: 'busy' }
  /**
   * The lease lapsed on a payment begun longer ago than the providers replay an idempotency key: making it now could
   * pay twice, so nobody may take it over.
   */
  | { readonly kind: 'unresolved' }
  /** The key was used with a different request. */
  | { readonly kind: 'conflict' };

export interface ClaimRequest {
  readonly tenant: string;
  /** A hash of the principal and the client's key: the scope of the record. */
  readonly keyHash: string;
  /** A hash of the canonical request. */
  readonly fingerprint: string;
  /** The id to give the payment if this caller claims a new key. */
  readonly paymentId: string;
  /** This caller's own token: only the holder of the lease may complete or release it. */
  readonly holder: string;
  readonly leaseMs: number;
  readonly ttlMs: number;
  /** How long the providers replay an idempotency key: a lapsed lease older than this is not taken over. */
  readonly replayWindowMs: number;
}

export interface ListQuery {
  readonly tenant: string;
  readonly index: { readonly kind: 'owner' | 'account'; readonly id: string };
  /** Position after which to continue (from a previous page's `next`). */
  readonly after: string | undefined;
  readonly first: number;
}

/** Thrown for any backend failure: the caller decides what that means (a payment is refused, a read is unavailable). */
export class PaymentStoreUnavailableError extends Error {
  constructor(cause: string) {
    super(`payment store unavailable: ${cause}`);
    this.name = 'PaymentStoreUnavailableError';
  }
}

export interface PaymentStore {
  readonly kind: string;
  claim(request: ClaimRequest): Promise<Claim>;
  /**
   * Marks the key done: every later claim with the same request answers `done` until the record expires. Done by the
   * lease's holder, or by anyone once the payment is stored (a holder that lost its lease made the same payment).
   */
  complete(tenant: string, keyHash: string, ttlMs: number): Promise<void>;
  /**
   * After a failure, by the lease's holder only (a caller that took the lapsed lease over is left alone): `forget`
   * drops the record (nothing was sent upstream); otherwise only the lease ends.
   */
  release(tenant: string, keyHash: string, holder: string, forget: boolean): Promise<void>;
  /** Stores a new payment with its first status, its listings and its provider id; false when the id was stored already. */
  save(payment: Payment): Promise<boolean>;
  get(tenant: string, id: string): Promise<Payment | undefined>;
  /** Applies a status change only when it moves forward (statusMachine.ts); true when applied. */
  transition(tenant: string, id: string, change: StatusChange): Promise<boolean>;
  list(query: ListQuery): Promise<PaymentPage>;
  findByUpstream(provider: ProviderId, upstreamId: string): Promise<{ tenant: string; id: string } | undefined>;
  /** True the first time an event id is seen (remembered for ttlMs). */
  rememberEvent(provider: ProviderId, eventId: string, ttlMs: number): Promise<boolean>;
  forgetEvent(provider: ProviderId, eventId: string): Promise<void>;
  close(): Promise<void>;
}

/** The position of a payment in a listing: newest first, ties broken by id. */
export function listPosition(record: Pick<PaymentRecord, 'createdAt' | 'id'>): string {
  return `${String(Date.parse(record.createdAt)).padStart(15, '0')}|${record.id}`;
}
