// GCRA in process, on a clock the caller gives: the backend without Redis (development), the per-replica fallback
// while Redis is unreachable, and the reference the Lua script in redisStore.ts mirrors line for line. A budget is one
// number, its theoretical arrival time (TAT): the moment it would be full again.
import { type BudgetCharge, type BudgetState, gcraParameters, type RateLimitStore } from './store.js';

export interface MemoryStoreOptions {
  /** Milliseconds since the epoch; tests move it instead of sleeping. Default Date.now. */
  readonly now?: () => number;
  /** Most budgets remembered; the ones idle longest are dropped first (a dropped budget is a full one). Default 100,000. */
  readonly maxBudgets?: number;
}

interface Outcome {
  readonly state: BudgetState;
  readonly newTat: number;
}

/** One GCRA step: refused when the new TAT would lie more than the burst's tolerance ahead of now. */
export function gcraStep(charge: BudgetCharge, storedTat: number | undefined, now: number): Outcome {
  const { emissionMs, toleranceMs } = gcraParameters(charge.rate);
  const tat = Math.max(storedTat ?? now, now);
  const newTat = tat + charge.cost * emissionMs;
  const allowAt = newTat - toleranceMs;
  const allowed = allowAt <= now;
  const after = allowed ? newTat : tat;
  return {
    newTat,
    state: {
      policy: charge.policy,
      rate: charge.rate,
      allowed,
      remaining: Math.max(0, Math.floor((now + toleranceMs - after) / emissionMs + 1e-9)),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((allowAt - now) / 1000)),
      resetSeconds: Math.ceil(Math.max(0, after - now) / 1000),
    },
  };
}

export class MemoryRateLimitStore implements RateLimitStore {
  readonly kind = 'memory';
  private readonly tats = new Map<string, number>();
  private readonly now: () => number;
  private readonly maxBudgets: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxBudgets = options.maxBudgets ?? 100_000;
  }

  async consume(charges: readonly BudgetCharge[]): Promise<readonly BudgetState[]> {
    const now = this.now();
    const outcomes = charges.map((charge) => gcraStep(charge, this.tats.get(charge.key), now));
    if (outcomes.every((outcome) => outcome.state.allowed)) {
      charges.forEach((charge, index) => {
        // Re-inserted, so the map's order is least recently charged first: that is what the bound drops.
        this.tats.delete(charge.key);
        this.tats.set(charge.key, (outcomes[index] as Outcome).newTat);
      });
      for (const key of this.tats.keys()) {
        if (this.tats.size <= this.maxBudgets) break;
        this.tats.delete(key);
      }
      return outcomes.map((outcome) => outcome.state);
    }
    // Refused: nothing was spent, so a budget that allowed reports what it still has, as if read at cost 0.
    return charges.map((charge, index) => {
      const { state } = outcomes[index] as Outcome;
      return state.allowed ? gcraStep({ ...charge, cost: 0 }, this.tats.get(charge.key), now).state : state;
    });
  }

  async close(): Promise<void> {
    this.tats.clear();
  }
}
