// The interface for records that must not be lost (credit consents, HARD-inquiry marks): each kept until its own
// expiry or its deletion, never evicted to make room. Unlike the cache's store, a backend that cannot keep everything
// fails a write; it never drops an older record.

export interface RecordStore {
  /** For the start-up log: 'memory', 'redis-single', 'redis-sentinel' or 'redis-cluster'. */
  readonly kind: string;
  /** The record, or undefined when there is none or it has expired. */
  get(key: string): Promise<string | undefined>;
  /** Keeps the record for ttlMs, replacing any before it. */
  put(key: string, value: string, ttlMs: number): Promise<void>;
  /** Keeps the record for ttlMs only when there is none; true when it was kept. */
  putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** True when there was a record to delete. */
  delete(key: string): Promise<boolean>;
  /** Deletes the record only while it still holds this value (a mark another holder has since taken stays). */
  deleteIfValue(key: string, value: string): Promise<boolean>;
  /** Resolves true once the backend can serve, false if it cannot within timeoutMs. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}
