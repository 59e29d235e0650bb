// Counters kept per namespace by each Cache instance (never module-global, so two caches in one process, as in
// tests, never mix their figures). Read with cache.metrics(); lib/metrics exposes them at each scrape.

export interface NamespaceMetrics {
  /** Served fresh, from the first level or the store. */
  hits: number;
  /** No usable entry: the value came from load(), this process's in-flight load, or another replica's. */
  misses: number;
  /** Served past freshness within the grace window (while a refresh runs, or while the upstream fails). */
  staleServed: number;
  /** Store operations that failed or were refused by the open breaker; each became a miss or a no-op. */
  errors: number;
  /** Calls made to load(). */
  upstreamCalls: number;
  /** Misses answered without a load() of their own: joined an in-flight load, or got another replica's value. */
  upstreamCallsSaved: number;
}

export class CacheMetrics {
  private readonly byNamespace = new Map<string, NamespaceMetrics>();

  for(namespace: string): NamespaceMetrics {
    let counters = this.byNamespace.get(namespace);
    if (!counters) {
      counters = { hits: 0, misses: 0, staleServed: 0, errors: 0, upstreamCalls: 0, upstreamCallsSaved: 0 };
      this.byNamespace.set(namespace, counters);
    }
    return counters;
  }

  /** A copy: the caller may keep or change it without touching the live counters. */
  snapshot(): Record<string, NamespaceMetrics> {
    return Object.fromEntries([...this.byNamespace].map(([namespace, counters]) => [namespace, { ...counters }]));
  }
}
