// The read-through cache every upstream read goes through: batched lookups (one MGET per tick), one load() per key
// per process (coalescing), one per key across replicas (a short lease), stale-while-revalidate and stale-if-error
// within the policy's grace window, tag invalidation fanned out to every replica's first level, and a store failure
// that is never the caller's failure. Errors from load() reach the caller unchanged and are never cached. Each
// read-through is a span (lib/telemetry) naming its namespace and outcome, never its key (keys hold ids).
import { randomBytes } from 'node:crypto';
import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import { isFinGraphError } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import { inSpan, TraceAttribute } from '../telemetry/spans.js';
import type { BreakerState } from './breaker.js';
import { type EncryptionKeys, randomEncryptionKeys, ValueCipher } from './encryption.js';
import {
  type CacheScope,
  entryKey,
  getValidKeySpace,
  getValidTenant,
  invalidationChannel,
  type KeyPart,
  type KeySpace,
  leaseKey,
  tagKey,
} from './keys.js';
import { MemoryStore } from './memoryStore.js';
import { CacheMetrics, type NamespaceMetrics } from './metrics.js';
import { type CachePolicy, getValidPolicy, type PolicyDurations } from './policy.js';
import { parseEnvelope, serializeEnvelope } from './serialize.js';
import type { CacheStore } from './store.js';
import { seal, type Unsealed, unseal } from './storedForm.js';

export interface FirstLevelOptions {
  /** Most entries held in this process. Default 1000. */
  maxEntries?: number;
  /** Longest an entry stays in this process, in milliseconds, whatever its policy says. Default 2000. */
  ttlMs?: number;
}

export interface CacheOptions {
  store: CacheStore;
  /** Keys for sensitive values. Default: a random key for this instance only (no other process can read its values). */
  encryption?: EncryptionKeys;
  /** First segment of every key. Default 'fg'. */
  prefix?: string;
  /** Global data version: a bump makes every existing entry unreachable, without a flush. Default '1'. */
  version?: string;
  /** In-process first level in front of the store. Default: on unless the store is itself in-process. */
  firstLevel?: boolean | FirstLevelOptions;
  logger?: Logger;
  /** How long lookups are collected into one MGET, in milliseconds (0: the same tick only). Default 1. */
  batchWindowMs?: number;
  /** How long a replica's right to load a key lasts, in milliseconds. Default 2000. */
  leaseMs?: number;
  /**
   * How long a replica without the lease polls for the holder's value before it checks whether the holder is still
   * loading, in ms; it keeps waiting while the holder holds the lease. Default 500.
   */
  leaseWaitMs?: number;
  /**
   * The time, in milliseconds, that freshness and grace are measured by. Default Date.now; tests pass a clock they
   * move. Waiting for another replica's load is measured in real time whatever the clock.
   */
  clock?: () => number;
}

export interface ReadThroughOptions<T> {
  policy: CachePolicy;
  scope: CacheScope;
  /** What identifies the value within the namespace; hashed, never stored in clear. */
  key: readonly KeyPart[];
  /** Invalidation tags (per tenant), e.g. `account:<id>`. */
  tags?: readonly string[];
  /** The upstream read. Its result must be JSON-able (bigint and Date survive); its errors are never cached. */
  load: () => Promise<T>;
}

export const defaultFirstLevel: Required<FirstLevelOptions> = { maxEntries: 1000, ttlMs: 2000 };
export const defaultBatchWindowMs = 1;
export const defaultLeaseMs = 2000;
export const defaultLeaseWaitMs = 500;

/** One readThrough call, resolved. */
interface Read {
  readonly key: string;
  readonly tagKeys: readonly string[];
  readonly policy: CachePolicy;
  readonly durations: PolicyDurations;
  readonly counters: NamespaceMetrics;
  readonly load: () => Promise<unknown>;
}

interface Loaded {
  readonly value: unknown;
  /** The stored envelope's JSON, when the value could be stored: joiners decode their own copy from it. */
  readonly json: string | undefined;
}

/** A load in progress; an invalidation of one of its tags while it runs keeps its (possibly older) result out. */
interface Flight {
  readonly tagKeys: readonly string[];
  invalidated: boolean;
}

interface InvalidationMessage {
  readonly from: string;
  readonly tagKeys: readonly string[];
}

/** Each caller that did not load the value decodes its own copy, so no two requests share one mutable object. */
function copyOf(loaded: Loaded): unknown {
  return loaded.json === undefined ? loaded.value : (parseEnvelope(loaded.json)?.v ?? loaded.value);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function parseInvalidation(message: string): InvalidationMessage | undefined {
  try {
    const parsed = JSON.parse(message) as Partial<InvalidationMessage>;
    if (typeof parsed.from !== 'string' || !Array.isArray(parsed.tagKeys)) return undefined;
    if (!parsed.tagKeys.every((item) => typeof item === 'string')) return undefined;
    return { from: parsed.from, tagKeys: parsed.tagKeys };
  } catch {
    return undefined;
  }
}

export class Cache {
  private readonly store: CacheStore;
  private readonly firstLevel: MemoryStore | undefined;
  private readonly cipher: ValueCipher;
  private readonly space: KeySpace;
  private readonly counters = new CacheMetrics();
  private readonly loader: DataLoader<string, string | null>;
  /** Foreground loads by key: concurrent misses on one key join the first. */
  private readonly inflight = new Map<string, { flight: Flight; promise: Promise<Loaded> }>();
  /**
   * Foreground loads that finished lately, with the sequence number of their end: a miss whose lookup began before
   * that end may have been on the wire while the value was stored, and takes it rather than loading a second time.
   */
  private readonly settled = new LRUCache<string, { readonly endedAt: number; readonly loaded: Loaded; readonly flight: Flight }>({
    max: 1000,
    ttl: 1000,
  });
  /** Orders lookups and load completions within this instance. */
  private sequence = 0;
  /** Background refreshes by key: one per key at a time. */
  private readonly refreshing = new Map<string, Flight>();
  private readonly background = new Set<Promise<void>>();
  private readonly unserializableLogged = new Set<string>();
  private readonly instanceId = randomBytes(9).toString('base64url');
  private readonly channel: string;
  private readonly subscribed: Promise<void>;
  private readonly logger: Logger | undefined;
  private readonly leaseMs: number;
  private readonly leaseWaitMs: number;
  private closed = false;
  private readonly now: () => number;

  constructor(options: CacheOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.space = getValidKeySpace({ prefix: options.prefix ?? 'fg', version: options.version ?? '1' });
    this.cipher = new ValueCipher(options.encryption ?? randomEncryptionKeys());
    this.leaseMs = options.leaseMs ?? defaultLeaseMs;
    this.leaseWaitMs = options.leaseWaitMs ?? defaultLeaseWaitMs;
    this.now = options.clock ?? Date.now;
    const firstLevel = options.firstLevel ?? !(options.store instanceof MemoryStore);
    if (firstLevel) {
      const sizes = { ...defaultFirstLevel, ...(firstLevel === true ? {} : firstLevel) };
      this.firstLevel = new MemoryStore({ maxEntries: sizes.maxEntries, maxTtlMs: sizes.ttlMs, clock: this.now });
    }
    const batchWindowMs = options.batchWindowMs ?? defaultBatchWindowMs;
    this.loader = new DataLoader<string, string | null>(
      async (keys) => {
        try {
          return await this.store.mget(keys);
        } catch (error) {
          // One failed MGET fails each lookup of the batch; each becomes a miss for its own namespace.
          const failure = error instanceof Error ? error : new Error(String(error));
          return keys.map(() => failure);
        }
      },
      {
        cache: false,
        maxBatchSize: 1000,
        ...(batchWindowMs > 0
          ? {
              batchScheduleFn: (run: () => void) => {
                setTimeout(run, batchWindowMs);
              },
            }
          : {}),
      },
    );
    this.channel = invalidationChannel(this.space);
    this.subscribed = this.store
      .subscribe(
        this.channel,
        (message) => this.onInvalidation(message),
        () => {
          // Invalidations sent while the subscription was down are lost: nothing in the first level can be trusted.
          this.firstLevel?.clear();
        },
      )
      .catch((error: unknown) => {
        if (this.closed) return; // closing the store cancels a subscription still waiting for Redis
        this.logger?.warn(
          { store: this.store.kind, error: error instanceof Error ? error.message : typeof error },
          'cache invalidation subscription failed: first-level entries live out their short time-to-live',
        );
      });
  }

  /** Resolves true once the store answers and the invalidation subscription is in place, false after timeoutMs. */
  async ready(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const ready = Promise.all([this.store.ready(timeoutMs), this.subscribed]).then(([storeReady]) => storeReady);
    try {
      return await Promise.race([ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The value for the key: fresh or within grace from here or the store, else loaded (the span is active for load()). */
  readThrough<T>(options: ReadThroughOptions<T>): Promise<T> {
    const { namespace } = options.policy;
    return inSpan(`cache ${namespace}`, { attributes: { [TraceAttribute.CACHE_NAMESPACE]: namespace } }, (span) =>
      this.read(options, (outcome) => span.setAttribute(TraceAttribute.CACHE_OUTCOME, outcome)),
    );
  }

  private async read<T>(options: ReadThroughOptions<T>, outcome: (outcome: 'hit' | 'stale' | 'miss' | 'bypass') => void): Promise<T> {
    if (this.closed) {
      outcome('bypass');
      return options.load();
    }
    const { policy } = options;
    const durations = getValidPolicy(policy);
    const read: Read = {
      key: entryKey(this.space, options.scope, policy.namespace, policy.version, options.key),
      tagKeys: (options.tags ?? []).map((tag) => tagKey(this.space, options.scope.tenant, tag)),
      policy,
      durations,
      counters: this.counters.for(policy.namespace),
      load: options.load,
    };
    const lookupStarted = ++this.sequence;
    const found = await this.lookup(read);
    if (found) {
      const { envelope } = found;
      if (this.now() < envelope.freshUntil) {
        read.counters.hits += 1;
        outcome('hit');
        return envelope.v as T;
      }
      read.counters.staleServed += 1;
      outcome('stale');
      this.refresh(read);
      return envelope.v as T;
    }
    read.counters.misses += 1;
    outcome('miss');
    return (await this.fill(read, lookupStarted)) as T;
  }

  /** Drops every entry of the tenant carrying one of the tags: in the store, here, and in every replica's first level. */
  async invalidate(scope: Pick<CacheScope, 'tenant'>, tags: readonly string[]): Promise<number> {
    const tenant = getValidTenant(scope.tenant);
    const tagKeys = tags.map((tag) => tagKey(this.space, tenant, tag));
    if (tagKeys.length === 0) return 0;
    this.dropLocally(tagKeys);
    // A failure is logged once by the store's breaker; the write that caused the invalidation must not fail for it.
    const counts = await Promise.all(tagKeys.map((key) => this.store.invalidateTag(key).catch(() => 0)));
    const message: InvalidationMessage = { from: this.instanceId, tagKeys };
    await this.store.publish(this.channel, JSON.stringify(message)).catch(() => undefined);
    return counts.reduce((sum, count) => sum + count, 0);
  }

  metrics(): Record<string, NamespaceMetrics> {
    return this.counters.snapshot();
  }

  /** The state of its store's circuit breaker (a Redis store's), undefined for the in-process store, which has none. */
  breakerState(): BreakerState | undefined {
    return this.store.breakerState;
  }

  /** Resolves once every background refresh started so far (and any they start) has settled. */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /** Waits for background refreshes, then closes the store. Reads after close go straight to load(). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.background]);
    await this.store.close();
    this.firstLevel?.clear();
  }

  private onInvalidation(text: string): void {
    const message = parseInvalidation(text);
    if (message && message.from !== this.instanceId) this.dropLocally(message.tagKeys);
  }

  private dropLocally(tagKeys: readonly string[]): void {
    for (const key of tagKeys) this.firstLevel?.dropTag(key);
    const touched = (flight: Flight): boolean => flight.tagKeys.some((key) => tagKeys.includes(key));
    for (const { flight } of this.inflight.values()) if (touched(flight)) flight.invalidated = true;
    for (const flight of this.refreshing.values()) if (touched(flight)) flight.invalidated = true;
    const settledKeys = [...this.settled.entries()].filter(([, { flight }]) => touched(flight)).map(([key]) => key);
    for (const key of settledKeys) this.settled.delete(key);
  }

  private unseal(stored: string, read: Read): Unsealed | undefined {
    const unsealed = unseal(stored, read.key, read.policy.sensitive, this.cipher);
    return unsealed && this.now() < unsealed.envelope.staleUntil ? unsealed : undefined;
  }

  /** The usable entry for the key (fresh or within grace), from the first level or the store; undefined is a miss. */
  private async lookup(read: Read): Promise<Unsealed | undefined> {
    const local = this.firstLevel?.peek(read.key);
    const fromFirstLevel = local === undefined ? undefined : this.unseal(local, read);
    if (fromFirstLevel) return fromFirstLevel;
    return this.lookupInStore(read);
  }

  private async lookupInStore(read: Read): Promise<Unsealed | undefined> {
    const found = await this.fromStore(read);
    return found === 'failed' ? undefined : found;
  }

  /** The store's usable entry for the key, kept in the first level too; 'failed' when the store could not answer. */
  private async fromStore(read: Read): Promise<Unsealed | undefined | 'failed'> {
    let stored: string | null;
    try {
      stored = await this.loader.load(read.key);
    } catch {
      read.counters.errors += 1;
      return 'failed';
    }
    if (stored === null) return undefined;
    const found = this.unseal(stored, read);
    if (found) this.firstLevel?.put(read.key, stored, found.envelope.staleUntil - this.now(), read.tagKeys);
    return found;
  }

  /**
   * A miss: joins this process's load of the key, takes the value of one that ended while this lookup was on the
   * wire, or starts one.
   */
  private async fill(read: Read, lookupStarted: number): Promise<unknown> {
    const running = this.inflight.get(read.key);
    if (running) {
      read.counters.upstreamCallsSaved += 1;
      return copyOf(await running.promise);
    }
    const recent = this.settled.get(read.key);
    if (recent && recent.endedAt > lookupStarted && !recent.flight.invalidated) {
      read.counters.upstreamCallsSaved += 1;
      return copyOf(recent.loaded);
    }
    const flight: Flight = { tagKeys: read.tagKeys, invalidated: false };
    const promise = this.loadOnce(read, flight, 'miss') as Promise<Loaded>;
    const entry = { flight, promise };
    this.inflight.set(read.key, entry);
    try {
      const loaded = await promise;
      if (loaded.json !== undefined && !flight.invalidated) {
        this.settled.set(read.key, { endedAt: ++this.sequence, loaded, flight });
      }
      return loaded.value;
    } finally {
      if (this.inflight.get(read.key) === entry) this.inflight.delete(read.key);
    }
  }

  /** Serves-stale path: one background refresh per key; its failure leaves the stale entry in place. */
  private refresh(read: Read): void {
    if (this.refreshing.has(read.key) || this.inflight.has(read.key)) return;
    const flight: Flight = { tagKeys: read.tagKeys, invalidated: false };
    this.refreshing.set(read.key, flight);
    const task: Promise<void> = this.loadOnce(read, flight, 'refresh')
      .then(
        () => undefined,
        (error: unknown) => {
          this.logger?.debug(
            { namespace: read.policy.namespace, code: isFinGraphError(error) ? error.code : undefined },
            'cache refresh failed: the stale entry is kept',
          );
        },
      )
      .finally(() => {
        this.refreshing.delete(read.key);
        this.background.delete(task);
      });
    this.background.add(task);
  }

  /**
   * Loads the key unless another replica holds its lease: then a miss waits for that replica's value (taking the lease
   * over if the holder gives up without one), and a refresh leaves the work to it (undefined). A store that fails is
   * ignored: this process loads.
   */
  private async loadOnce(read: Read, flight: Flight, mode: 'miss' | 'refresh'): Promise<Loaded | undefined> {
    const lease = leaseKey(read.key);
    let holdsLease = false;
    try {
      holdsLease = await this.store.acquireLease(lease, this.leaseMs);
      if (!holdsLease) {
        if (mode === 'refresh') return undefined;
        const winner = await this.awaitLeaseHolder(read, lease);
        if (winner === 'lease') {
          holdsLease = true;
        } else if (winner) {
          read.counters.upstreamCallsSaved += 1;
          return winner;
        }
      }
    } catch {
      read.counters.errors += 1;
    }
    try {
      read.counters.upstreamCalls += 1;
      const value = await read.load();
      return { value, json: await this.save(read, flight, value) };
    } finally {
      // Released after the value is stored, so a replica polling for it finds it.
      if (holdsLease)
        this.store.releaseLease(lease).catch(() => {
          read.counters.errors += 1;
        });
    }
  }

  /**
   * Polls the store for the lease holder's value, backing off. Past leaseWaitMs, each poll that finds nothing also
   * tries to take the lease: while the holder keeps it, its load is still running and loading here too would be the
   * stampede the lease is for (a slow bank under load is exactly when that happens), so the wait goes on. Once the
   * lease is free (the holder failed, or its lease ran out) this replica holds it ('lease') and loads, after one more
   * look at the store. undefined (load without the lease) when the store fails, and past leaseWaitMs + leaseMs in any
   * case, so that a chain of holders that each fail cannot hold a request for ever.
   */
  private async awaitLeaseHolder(read: Read, lease: string): Promise<Loaded | 'lease' | undefined> {
    const patientUntil = Date.now() + this.leaseWaitMs;
    const deadline = patientUntil + this.leaseMs;
    const fresh = (found: Unsealed | undefined | 'failed'): found is Unsealed =>
      found !== undefined && found !== 'failed' && this.now() < found.envelope.freshUntil;
    let delay = 20;
    while (Date.now() < deadline) {
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      delay = Math.min(delay * 2, 150);
      const found = await this.fromStore(read);
      if (found === 'failed') return undefined;
      if (fresh(found)) return { value: found.envelope.v, json: found.json };
      if (Date.now() >= patientUntil && (await this.store.acquireLease(lease, this.leaseMs))) {
        // The holder may have stored its value and released the lease between the read above and the claim.
        const stored = await this.fromStore(read);
        if (!fresh(stored)) return 'lease';
        this.store.releaseLease(lease).catch(() => {
          read.counters.errors += 1;
        });
        return { value: stored.envelope.v, json: stored.json };
      }
    }
    return undefined;
  }

  /** Stores a loaded value; returns its envelope JSON, or undefined when it cannot be stored. Never throws. */
  private async save(read: Read, flight: Flight, value: unknown): Promise<string | undefined> {
    const now = this.now();
    const { freshMs, staleMs } = read.durations;
    let json: string;
    try {
      json = serializeEnvelope({ v: value, storedAt: now, freshUntil: now + freshMs, staleUntil: now + freshMs + staleMs });
    } catch (error) {
      if (!this.unserializableLogged.has(read.policy.namespace)) {
        this.unserializableLogged.add(read.policy.namespace);
        this.logger?.warn(
          { namespace: read.policy.namespace, error: error instanceof Error ? error.message : typeof error },
          "cache cannot store this namespace's values: every read goes to the upstream",
        );
      }
      return undefined;
    }
    // The value may have been read before the write that invalidated its tags: served to this caller, never stored.
    if (flight.invalidated || this.closed) return json;
    const stored = seal(json, read.key, read.policy.sensitive, this.cipher);
    const ttlMs = freshMs + staleMs;
    this.firstLevel?.put(read.key, stored, ttlMs, read.tagKeys);
    try {
      await this.store.set(read.key, stored, ttlMs, read.tagKeys);
    } catch {
      read.counters.errors += 1;
    }
    return json;
  }
}
