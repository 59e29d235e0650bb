// A circuit breaker in front of the cache store: after a run of consecutive failures it stops calling the store for
// a cool-down, then lets one probe through. A Redis that is down or hung then costs nothing per request (no timeout
// waited on), and the cache comes back by itself once a probe succeeds. It logs one warning per outage, not per call.
import type { Logger } from '../logging/logger.js';
import { StoreUnavailableError } from './store.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  failureThreshold?: number;
  /** How long an open breaker refuses calls before letting one probe through, in milliseconds. Default 2000. */
  coolDownMs?: number;
  /** Says which errors mean the store is unhealthy; others (a reply error: the server answered) reset the count. */
  isFailure?: (error: unknown) => boolean;
  logger?: Logger;
  /** Names the guarded store in log lines. */
  name?: string;
  now?: () => number;
}

export const defaultFailureThreshold = 5;
export const defaultCoolDownMs = 2000;

function errorSummary(error: unknown): string {
  // Only the error's class and message: ioredis messages name the command and the state, never keys or values.
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : typeof error;
}

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private current: BreakerState = 'closed';
  private probing = false;
  private refusedCount = 0;
  private outageLogged = false;
  private readonly threshold: number;
  private readonly coolDownMs: number;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? defaultFailureThreshold;
    this.coolDownMs = options.coolDownMs ?? defaultCoolDownMs;
    if (!Number.isSafeInteger(this.threshold) || this.threshold < 1) {
      throw new RangeError(`failureThreshold: expected an integer of at least 1, got ${this.threshold}`);
    }
    if (!(this.coolDownMs >= 0)) throw new RangeError(`coolDownMs: expected a number of at least 0, got ${this.coolDownMs}`);
    this.isFailure = options.isFailure ?? (() => true);
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.now() >= this.openUntil && !this.probing) return 'half-open';
    return this.current;
  }

  /** Operations refused without being run since this breaker was made: what an outage spared the store (and callers). */
  get refused(): number {
    return this.refusedCount;
  }

  /** Runs the operation, or throws StoreUnavailableError without running it while the breaker is open. */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    let probe = false;
    if (this.current === 'open') {
      if (this.probing || this.now() < this.openUntil) {
        this.refusedCount += 1;
        throw new StoreUnavailableError('circuit breaker open');
      }
      this.probing = true;
      probe = true;
    }
    try {
      const result = await operation();
      this.succeeded();
      return result;
    } catch (error) {
      if (this.isFailure(error)) this.failed(error, probe);
      else this.succeeded();
      throw error;
    } finally {
      if (probe) this.probing = false;
    }
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.current === 'open') {
      this.current = 'closed';
      this.outageLogged = false;
      this.options.logger?.info({ store: this.options.name }, 'cache store reachable again: circuit breaker closed');
    }
  }

  private failed(error: unknown, probe: boolean): void {
    this.failures += 1;
    if (this.current === 'open' && !probe) return;
    if (!probe && this.failures < this.threshold) return;
    this.current = 'open';
    this.openUntil = this.now() + this.coolDownMs;
    const fields = { store: this.options.name, failures: this.failures, coolDownMs: this.coolDownMs, error: errorSummary(error) };
    if (this.outageLogged) {
      this.options.logger?.debug(fields, 'cache store probe failed: circuit breaker stays open');
    } else {
      this.outageLogged = true;
      this.options.logger?.warn(fields, 'cache store failing: circuit breaker open, reads go to the upstream');
    }
  }
}
