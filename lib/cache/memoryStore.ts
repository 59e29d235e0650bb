// The in-process backend: a bounded LRU with per-entry time-to-live. It is the embedded default when no Redis is
// configured, and the small first level in front of Redis (hence the synchronous methods, used without a round trip).
import { LRUCache } from 'lru-cache';
import type { CacheStore, MessageHandler } from './store.js';

export interface MemoryStoreOptions {
  /** Most entries held; the least recently used go first. Default 10 000. */
  maxEntries?: number;
  /** Upper bound on any entry's time-to-live in milliseconds (the first level keeps entries only briefly). Default none. */
  maxTtlMs?: number;
  /** The time, in milliseconds, that time-to-lives count against. Default Date.now; tests pass a clock they move. */
  clock?: () => number;
}

export const defaultMaxEntries = 10_000;

export class MemoryStore implements CacheStore {
  readonly kind = 'memory';
  private readonly entries: LRUCache<string, string>;
  private readonly tags: LRUCache<string, Set<string>>;
  private readonly leases: LRUCache<string, true>;
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  private readonly maxTtlMs: number;

  constructor(options: MemoryStoreOptions = {}) {
    const max = options.maxEntries ?? defaultMaxEntries;
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`maxEntries: expected an integer of at least 1, got ${max}`);
    this.maxTtlMs = options.maxTtlMs ?? Number.POSITIVE_INFINITY;
    // A clock of the caller's is read on every check: lru-cache otherwise reuses one reading for a millisecond.
    const time = options.clock ? { perf: { now: options.clock }, ttlResolution: 0 } : {};
    this.entries = new LRUCache({ max, ...time });
    this.tags = new LRUCache({ max, ...time });
    this.leases = new LRUCache({ max, ...time });
  }

  get size(): number {
    return this.entries.size;
  }

  peek(key: string): string | undefined {
    return this.entries.get(key);
  }

  put(key: string, value: string, ttlMs: number, tagKeys: readonly string[] = []): void {
    const ttl = Math.min(ttlMs, this.maxTtlMs);
    if (!(ttl > 0)) return;
    this.entries.set(key, value, { ttl: Math.ceil(ttl) });
    for (const tag of tagKeys) this.addToTag(tag, [key], ttl);
  }

  dropTag(tagKey: string): number {
    const keys = this.tags.get(tagKey);
    this.tags.delete(tagKey);
    let deleted = 0;
    for (const key of keys ?? []) if (this.entries.delete(key)) deleted += 1;
    return deleted;
  }

  private addToTag(tagKey: string, keys: readonly string[], ttlMs: number): void {
    const existing = this.tags.get(tagKey);
    const remaining = existing ? this.tags.getRemainingTTL(tagKey) : 0;
    const set = existing ?? new Set<string>();
    for (const key of keys) set.add(key);
    this.tags.set(tagKey, set, { ttl: Math.ceil(Math.max(remaining, Math.min(ttlMs, this.maxTtlMs))) });
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.map((key) => this.entries.get(key) ?? null);
  }

  async set(key: string, value: string, ttlMs: number, tagKeys?: readonly string[]): Promise<void> {
    this.put(key, value, ttlMs, tagKeys);
  }

  async del(keys: readonly string[]): Promise<number> {
    return keys.filter((key) => this.entries.delete(key)).length;
  }

  async tagKeys(tagKey: string, keys: readonly string[], ttlMs: number): Promise<void> {
    this.addToTag(tagKey, keys, ttlMs);
  }

  async invalidateTag(tagKey: string): Promise<number> {
    return this.dropTag(tagKey);
  }

  async acquireLease(key: string, ttlMs: number): Promise<boolean> {
    if (this.leases.has(key)) return false;
    this.leases.set(key, true, { ttl: Math.ceil(ttlMs) });
    return true;
  }

  async releaseLease(key: string): Promise<void> {
    this.leases.delete(key);
  }

  async publish(channel: string, message: string): Promise<void> {
    // Delivered on a later tick, as Redis would, so a publisher never runs its subscribers' code in its own frame.
    for (const handler of this.handlers.get(channel) ?? []) {
      queueMicrotask(() => {
        try {
          handler(message);
        } catch {
          /* a subscriber's failure is its own */
        }
      });
    }
  }

  /** In-process delivery cannot lose a message, so there is never a gap to report. */
  async subscribe(channel: string, handler: MessageHandler): Promise<void> {
    const set = this.handlers.get(channel) ?? new Set<MessageHandler>();
    set.add(handler);
    this.handlers.set(channel, set);
  }

  clear(): void {
    this.entries.clear();
    this.tags.clear();
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.clear();
    this.leases.clear();
    this.handlers.clear();
  }
}
