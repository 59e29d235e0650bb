// A scheduler the tests step by hand: the batcher's retries, checkpoints and close deadline wait on it instead of real
// time, and a test waits for the timer it expects (with a real-time guard, so a timer that never comes fails the test).
import type { AuditScheduler } from '../../../lib/audit/index.js';

export interface ManualTimer {
  delayMillis: number;
  keepAlive: boolean;
  fire(): void;
}

export class ManualScheduler implements AuditScheduler {
  private readonly timers = new Set<ManualTimer>();
  private waiters: (() => void)[] = [];
  private auto: ((timer: ManualTimer) => boolean) | undefined;
  /** Every delay ever asked for, in order: the back-off a test checks. */
  readonly delays: number[] = [];

  after(delayMillis: number, callback: () => void, keepAlive: boolean): () => void {
    const timer: ManualTimer = {
      delayMillis,
      keepAlive,
      fire: () => {
        if (this.timers.delete(timer)) callback();
      },
    };
    this.timers.add(timer);
    this.delays.push(delayMillis);
    if (this.auto?.(timer)) setImmediate(timer.fire);
    for (const wake of this.waiters.splice(0)) wake();
    return () => {
      this.timers.delete(timer);
    };
  }

  /** From now on, fires every timer that matches as soon as it is scheduled (the pending ones too). */
  autoFire(matches: (timer: ManualTimer) => boolean): void {
    this.auto = matches;
    for (const timer of this.pending.filter(matches)) setImmediate(timer.fire);
  }

  /** Timers scheduled and neither fired nor cancelled. */
  get pending(): ManualTimer[] {
    return [...this.timers];
  }

  /** The first pending timer that matches, once there is one; fails after `guardMillis` of real time without. */
  async next(matches: (timer: ManualTimer) => boolean = () => true, guardMillis = 5_000): Promise<ManualTimer> {
    const deadline = Date.now() + guardMillis;
    for (;;) {
      const found = this.pending.find(matches);
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('the expected timer was never scheduled');
      await new Promise<void>((resolve) => {
        const guard = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(guard);
          resolve();
        });
      });
    }
  }
}
