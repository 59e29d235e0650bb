// The in-process record store for development without Redis: a plain map with per-record expiry and no size bound, so
// a record stays until it expires or is deleted, however many others arrive (the cache's LRU would drop the oldest).
// Expired records are swept as writes come, so memory holds only live records. Nothing survives a restart.
import type { RecordStore } from './recordStore.js';

export interface MemoryRecordStoreOptions {
  /** The time, in milliseconds, that expiries count against. Default Date.now; tests pass a clock they move. */
  clock?: () => number;
}

interface Entry {
  readonly value: string;
  readonly expiresAt: number;
}

/** How often (by the clock) a write sweeps expired records. */
const SWEEP_EVERY_MS = 60_000;

export class MemoryRecordStore implements RecordStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly clock: () => number;
  private nextSweep: number;

  constructor(options: MemoryRecordStoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.nextSweep = this.clock() + SWEEP_EVERY_MS;
  }

  /** Live records held, for tests and health checks. */
  get size(): number {
    const now = this.clock();
    let live = 0;
    for (const entry of this.entries.values()) if (entry.expiresAt > now) live += 1;
    return live;
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, value: string, ttlMs: number, now: number): void {
    if (now >= this.nextSweep) {
      for (const [candidate, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(candidate);
      this.nextSweep = now + SWEEP_EVERY_MS;
    }
    this.entries.set(key, { value, expiresAt: now + Math.max(1, Math.ceil(ttlMs)) });
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key, this.clock())?.value;
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    this.write(key, value, ttlMs, this.clock());
  }

  async putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    if (this.live(key, now)) return false;
    this.write(key, value, ttlMs, now);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.live(key, this.clock()) !== undefined;
    this.entries.delete(key);
    return existed;
  }

  async deleteIfValue(key: string, value: string): Promise<boolean> {
    if (this.live(key, this.clock())?.value !== value) return false;
    return this.entries.delete(key);
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
