// The one shape every subgraph's cached loader takes: a DataLoader whose keys are each read through the cache, so the
// cache looks the whole batch up in one round trip and only the misses reach the upstream (whose own loader may batch
// them again). A failure belongs to its key: DataLoader is handed the error, never a rejected batch.
import DataLoader from 'dataloader';
import type { Cache, ReadThroughOptions } from './cache.js';

/** DataLoader wants an Error per failed key; anything thrown that is not one is wrapped. */
export const asLoaderError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export function cachedLoader<K, V, C = K>(
  cache: Cache,
  readFor: (key: K) => ReadThroughOptions<V>,
  options?: DataLoader.Options<K, V, C>,
): DataLoader<K, V, C> {
  return new DataLoader<K, V, C>((keys) => Promise.all(keys.map((key) => cache.readThrough(readFor(key)).catch(asLoaderError))), options);
}
