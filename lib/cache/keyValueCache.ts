// Apollo Server's own cache (automatic persisted queries and the like) on FinGraph's cache store, so every gateway
// replica shares one registry of persisted queries in the same Redis. Keys live under their own hash tag, apart from
// any tenant's data; values are query documents, not customer data.
import type { CacheStore } from './store.js';

/** The shape of @apollo/utils.keyvaluecache's KeyValueCache<string>, which Apollo Server accepts as `cache`. */
export interface ApolloKeyValueCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  // biome-ignore lint/suspicious/noConfusingVoidType: Apollo's KeyValueCache declares exactly this result type.
  delete(key: string): Promise<boolean | void>;
}

/** What an entry without a ttl lives for: Apollo's persisted queries are re-sent by clients when they expire. */
const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;

export class StoreKeyValueCache implements ApolloKeyValueCache {
  constructor(
    private readonly store: CacheStore,
    private readonly prefix = 'fg:{apollo}:',
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.store.mget([this.prefix + key]))[0] ?? undefined;
    } catch {
      return undefined; // a cache that is down is a miss, never a failed request
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const ttlMs = typeof options?.ttl === 'number' && options.ttl > 0 ? options.ttl * 1000 : DEFAULT_TTL_MS;
    await this.store.set(this.prefix + key, value, ttlMs).catch(() => undefined);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.store.del([this.prefix + key]).catch(() => 0)) > 0;
  }
}
