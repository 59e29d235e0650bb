// The rate limiter's store: one call charges every budget a request draws on, all or nothing (a request refused by
// one budget spends none of the others), and says what is left of each. Two backends: GCRA in process (memoryStore.ts)
// and the same GCRA as one Lua script on Redis (redisStore.ts); fallbackStore.ts puts the first behind the second.
import type { Rate } from './options.js';

/** One budget a request draws on: its key (from keys.ts), its rate, and what this request costs it. */
export interface BudgetCharge {
  /** The policy's name in the RateLimit header fields: tenant, client, ip, payments or credit-reports. */
  readonly policy: string;
  readonly key: string;
  readonly rate: Rate;
  /** Cost units; 0 reads the budget without spending it. */
  readonly cost: number;
}

/** What is left of one budget after a charge (or after its refusal). */
export interface BudgetState {
  readonly policy: string;
  readonly rate: Rate;
  readonly allowed: boolean;
  /** Whole cost units still spendable at once. */
  readonly remaining: number;
  /** Seconds until this request could pass (0 when it passed). */
  readonly retryAfterSeconds: number;
  /** Seconds until the budget is full again. */
  readonly resetSeconds: number;
}

export interface RateLimitStore {
  /** Which backend answered, for logs and tests: memory, redis-single, redis-sentinel, redis-cluster. */
  readonly kind: string;
  /** Charges every budget if every one allows it, else none; one state per charge, in order. */
  consume(charges: readonly BudgetCharge[]): Promise<readonly BudgetState[]>;
  close(): Promise<void>;
}

/** The Generic Cell Rate Algorithm's two numbers for a rate, in milliseconds. */
export function gcraParameters(rate: Rate): { emissionMs: number; toleranceMs: number } {
  const emissionMs = (rate.periodSeconds * 1000) / rate.units;
  return { emissionMs, toleranceMs: emissionMs * rate.burst };
}
