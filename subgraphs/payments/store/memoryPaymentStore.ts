// The in-process payment store, for `npm start` without Redis only: it keeps nothing across a restart and is not
// shared between replicas, so idempotency holds within one process only. Production configures Redis.
import type { Payment, PaymentPage, ProviderId, StatusChange } from '../domain.js';
import { advances } from '../statusMachine.js';
import { type Claim, type ClaimRequest, type ListQuery, listPosition, type PaymentStore } from './paymentStore.js';

interface IdempotencyEntry {
  fingerprint: string;
  paymentId: string;
  done: boolean;
  leaseUntil: number;
  holder: string;
  createdAt: number;
  expiresAt: number;
}

export class MemoryPaymentStore implements PaymentStore {
  readonly kind = 'memory';
  private readonly keys = new Map<string, IdempotencyEntry>();
  private readonly payments = new Map<string, Payment>();
  private readonly indexes = new Map<string, Set<string>>();
  private readonly upstream = new Map<string, { tenant: string; id: string }>();
  private readonly events = new Map<string, number>();

  /** `clock`: the time records expire by (Date.now unless a test passes one it moves). */
  constructor(private readonly clock: () => number = Date.now) {}

  async claim(request: ClaimRequest): Promise<Claim> {
    const now = this.clock();
    const scoped = `${request.tenant}|${request.keyHash}`;
    const entry = this.keys.get(scoped);
    if (!entry || entry.expiresAt <= now) {
      this.keys.set(scoped, {
        fingerprint: request.fingerprint,
        paymentId: request.paymentId,
        done: false,
        leaseUntil: now + request.leaseMs,
        holder: request.holder,
        createdAt: now,
        expiresAt: now + request.ttlMs,
      });
      return { kind: 'claimed', paymentId: request.paymentId };
    }
    if (entry.fingerprint !== request.fingerprint) return { kind: 'conflict' };
    if (entry.done) return { kind: 'done', paymentId: entry.paymentId };
    if (entry.leaseUntil < now) {
      if (now - entry.createdAt > request.replayWindowMs) return { kind: 'unresolved' };
      entry.leaseUntil = now + request.leaseMs;
      entry.holder = request.holder;
      return { kind: 'claimed', paymentId: entry.paymentId };
    }
    return { kind: 'busy' };
  }

  async complete(tenant: string, keyHash: string, ttlMs: number): Promise<void> {
    const entry = this.keys.get(`${tenant}|${keyHash}`);
    if (entry) {
      entry.done = true;
      entry.expiresAt = this.clock() + ttlMs;
    }
  }

  async release(tenant: string, keyHash: string, holder: string, forget: boolean): Promise<void> {
    const scoped = `${tenant}|${keyHash}`;
    const entry = this.keys.get(scoped);
    if (!entry || entry.holder !== holder) return;
    if (forget) this.keys.delete(scoped);
    else entry.leaseUntil = 0;
  }

  async save(payment: Payment): Promise<boolean> {
    const key = `${payment.tenant}|${payment.id}`;
    if (this.payments.has(key)) return false;
    this.payments.set(key, payment);
    for (const index of [`owner|${payment.ownerId}`, `account|${payment.sourceAccountId}`]) {
      const scoped = `${payment.tenant}|${index}`;
      const set = this.indexes.get(scoped) ?? new Set<string>();
      set.add(listPosition(payment));
      this.indexes.set(scoped, set);
    }
    this.upstream.set(`${payment.provider}|${payment.upstreamId}`, { tenant: payment.tenant, id: payment.id });
    return true;
  }

  async get(tenant: string, id: string): Promise<Payment | undefined> {
    return this.payments.get(`${tenant}|${id}`);
  }

  async transition(tenant: string, id: string, change: StatusChange): Promise<boolean> {
    const key = `${tenant}|${id}`;
    const payment = this.payments.get(key);
    if (!payment || !advances(payment.status, change.status)) return false;
    this.payments.set(key, { ...payment, status: change.status, updatedAt: change.at, statusHistory: [...payment.statusHistory, change] });
    return true;
  }

  async list(query: ListQuery): Promise<PaymentPage> {
    const positions = [...(this.indexes.get(`${query.tenant}|${query.index.kind}|${query.index.id}`) ?? [])].sort().reverse();
    const start = query.after === undefined ? 0 : positions.findIndex((position) => position < (query.after as string));
    const slice = start < 0 ? [] : positions.slice(start, start + query.first + 1);
    const page = slice.slice(0, query.first);
    const payments = page.flatMap((position) => this.payments.get(`${query.tenant}|${position.split('|')[1] ?? ''}`) ?? []);
    return { payments, next: slice.length > query.first ? page.at(-1) : undefined };
  }

  async findByUpstream(provider: ProviderId, upstreamId: string) {
    return this.upstream.get(`${provider}|${upstreamId}`);
  }

  async rememberEvent(provider: ProviderId, eventId: string, ttlMs: number): Promise<boolean> {
    const key = `${provider}|${eventId}`;
    const now = this.clock();
    if ((this.events.get(key) ?? 0) > now) return false;
    this.events.set(key, now + ttlMs);
    return true;
  }

  async forgetEvent(provider: ProviderId, eventId: string): Promise<void> {
    this.events.delete(`${provider}|${eventId}`);
  }

  async close(): Promise<void> {}
}
