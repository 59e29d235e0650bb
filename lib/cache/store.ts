// The one interface every cache backend implements (in-process LRU, Redis), so the read-through logic is written once.
// Values are opaque strings here: serialisation and encryption happen above, keys are built in keys.ts.
import type { BreakerState } from './breaker.js';

export type MessageHandler = (message: string) => void;

export interface CacheStore {
  /** For the start-up log: 'memory', 'redis-single', 'redis-sentinel' or 'redis-cluster'. */
  readonly kind: string;
  /** One value (or null) per key, in order. */
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  /** Stores a value with a time-to-live, and in the same atomic step adds the key to each tag's set. */
  set(key: string, value: string, ttlMs: number, tagKeys?: readonly string[]): Promise<void>;
  del(keys: readonly string[]): Promise<number>;
  /** Remembers that these keys carry a tag; the tag's set lives at least ttlMs. */
  tagKeys(tagKey: string, keys: readonly string[], ttlMs: number): Promise<void>;
  /** Deletes every key carrying the tag, and the tag's set, atomically; returns how many keys were deleted. */
  invalidateTag(tagKey: string): Promise<number>;
  /** True for the one caller that holds the lease until it is released or ttlMs passes. */
  acquireLease(key: string, ttlMs: number): Promise<boolean>;
  /** Releases a lease this store acquired (never one another holder has since taken). */
  releaseLease(key: string): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  /** Delivers every message on the channel; onGap runs when messages may have been lost (a reconnection). */
  subscribe(channel: string, handler: MessageHandler, onGap?: () => void): Promise<void>;
  /** The state of the breaker in front of the backend, for the metrics; none for a backend without one (in-process). */
  readonly breakerState?: BreakerState;
  /** Resolves true once the backend can serve commands, false if it cannot within timeoutMs. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** A store operation refused without asking the backend (breaker open, not connected yet). */
export class StoreUnavailableError extends Error {
  constructor(reason: string) {
    super(`cache store unavailable: ${reason}`);
    this.name = 'StoreUnavailableError';
  }
}
