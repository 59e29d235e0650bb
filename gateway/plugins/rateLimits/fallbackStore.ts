// Redis first; while it cannot answer, a limiter in this process at this replica's share of every budget (1/replicas
// of the rate and of the burst), so an outage narrows the limits rather than lifting them: never unlimited. One warning
// when an outage starts and one line when Redis answers again, not one per request. After a failure Redis is left alone
// for a cool-down, so a hung server costs requests no timeout each; then the next request probes it.
import type { BreakerState } from '../../../lib/cache/index.js';
import type { Logger } from '../../../lib/logging/logger.js';
import { MemoryRateLimitStore } from './memoryStore.js';
import type { Rate } from './options.js';
import type { BudgetCharge, BudgetState, RateLimitStore } from './store.js';

export interface FallbackStoreOptions {
  readonly primary: RateLimitStore;
  /** Replicas sharing the budgets; the local limiter allows 1/replicas of each. */
  readonly replicas: number;
  readonly logger: Logger;
  /** How long after a failure Redis is not asked, in milliseconds. Default 1000. */
  readonly coolDownMs?: number;
  /** Milliseconds since the epoch, for the local limiter and the cool-down. Default Date.now. */
  readonly now?: () => number;
}

/** This replica's share of a rate; the burst never below one unit, so a share still admits single requests. */
export function shareOf(rate: Rate, replicas: number): Rate {
  return { units: rate.units / replicas, periodSeconds: rate.periodSeconds, burst: Math.max(1, rate.burst / replicas) };
}

function summary(error: unknown): string {
  // The class and message only: ioredis names the state and the command, never a key or a value.
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : typeof error;
}

export class FallbackRateLimitStore implements RateLimitStore {
  readonly kind: string;
  private readonly local: MemoryRateLimitStore;
  private readonly now: () => number;
  private readonly coolDownMs: number;
  private outage = false;
  private retryAt = 0;

  constructor(private readonly options: FallbackStoreOptions) {
    this.kind = `${options.primary.kind}+local`;
    this.now = options.now ?? Date.now;
    this.coolDownMs = options.coolDownMs ?? 1000;
    this.local = new MemoryRateLimitStore({ now: this.now });
  }

  /** True while the local limiter answers in Redis's place. */
  get degraded(): boolean {
    return this.outage;
  }

  /**
   * The outage as a circuit breaker's state, for the metrics: Redis asked (closed), left alone for its cool-down
   * (open), or to be probed by the next request (half-open).
   */
  get breakerState(): BreakerState {
    if (!this.outage) return 'closed';
    return this.now() < this.retryAt ? 'open' : 'half-open';
  }

  async consume(charges: readonly BudgetCharge[]): Promise<readonly BudgetState[]> {
    if (!this.outage || this.now() >= this.retryAt) {
      try {
        const states = await this.options.primary.consume(charges);
        if (this.outage) {
          this.outage = false;
          this.options.logger.info({ store: this.options.primary.kind }, 'rate limits: Redis reachable again, shared budgets restored');
        }
        return states;
      } catch (error) {
        this.retryAt = this.now() + this.coolDownMs;
        if (!this.outage) {
          this.outage = true;
          this.options.logger.warn(
            { store: this.options.primary.kind, replicas: this.options.replicas, error: summary(error) },
            `rate limits: Redis unreachable, limiting locally at 1/${this.options.replicas} of each budget`,
          );
        }
      }
    }
    return this.local.consume(charges.map((charge) => ({ ...charge, rate: shareOf(charge.rate, this.options.replicas) })));
  }

  async close(): Promise<void> {
    await this.options.primary.close();
    await this.local.close();
  }
}
