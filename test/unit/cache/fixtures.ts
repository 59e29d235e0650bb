// Shared pieces of the cache tests: policies, encryption keys, counting loaders, a log capture, and Caches built on a
// test's own RedisHarness (never the machine's Redis).
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { Cache, type CacheOptions } from '../../../lib/cache/cache.js';
import type { EncryptionKeys } from '../../../lib/cache/encryption.js';
import type { CachePolicy } from '../../../lib/cache/policy.js';
import { RedisStore, type RedisStoreOptions } from '../../../lib/cache/redisStore.js';
import { createLogger, type Logger } from '../../../lib/logging/logger.js';
import { RedisHarness } from '../../support/redis.js';

/**
 * Real time, only for polling a real process back to health (a restarted redis-server, a failover): what the test
 * waits for is the outcome, within a deadline; no assertion is about how long anything took.
 */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A clock that stands still until a test moves it: freshness and grace are proven without waiting on real time. */
export interface ManualClock {
  readonly now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = Date.parse('2026-01-05T09:00:00Z')): ManualClock {
  let time = start;
  return {
    now: () => time,
    advance(ms) {
      time += ms;
    },
  };
}

export function policy(overrides: Partial<CachePolicy> = {}): CachePolicy {
  return { namespace: 'balances', version: 1, freshSeconds: 60, staleSeconds: 60, sensitive: false, ...overrides };
}

/** Fixed keys per id, so two caches given the same id can read each other's values. */
const keyMaterial = new Map<string, Buffer>();
export function encryptionKeys(current: string, ...others: string[]): EncryptionKeys {
  const keys = new Map<string, Buffer>();
  for (const kid of [current, ...others]) {
    if (!keyMaterial.has(kid)) keyMaterial.set(kid, randomBytes(32));
    keys.set(kid, keyMaterial.get(kid) as Buffer);
  }
  return { keys, current };
}

/**
 * A load() that counts its calls and holds each until the test opens the gate: `started` resolves when the first call
 * is under way, so a test orders events by what happened, not by how long it waited.
 */
export function gatedLoad<T>(value: (call: number) => T): {
  load: () => Promise<T>;
  calls: () => number;
  started: Promise<void>;
  open(): void;
} {
  let calls = 0;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    load: async () => {
      calls += 1;
      const call = calls;
      markStarted();
      await gate;
      return value(call);
    },
    calls: () => calls,
    started,
    open: () => open(),
  };
}

/** A load() that counts its calls and answers value(n) for the n-th call. */
export function countingLoad<T>(value: (call: number) => T): { load: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    load: async () => {
      calls += 1;
      return value(calls);
    },
    calls: () => calls,
  };
}

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export function captureLogs(): { logger: Logger; lines: LogLine[]; text: () => string } {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('cache-test', { destination, level: 'debug' });
  return {
    logger,
    get lines() {
      return raw
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogLine);
    },
    text: () => raw.join(''),
  };
}

export interface RedisCacheParts {
  cache: Cache;
  store: ObservedRedisStore;
}

/** A Cache on the harness's Redis, connected and subscribed before it is returned. */
/**
 * The Redis store with two events a test can wait for instead of sleeping: a lease it was refused (another replica
 * holds it, so this one is waiting) and an invalidation message delivered to it.
 */
export class ObservedRedisStore extends RedisStore {
  private refused = 0;
  private delivered = 0;
  private readonly waiting: Array<{ readonly kind: 'refused' | 'delivered'; readonly count: number; readonly resolve: () => void }> = [];

  override async acquireLease(key: string, ttlMs: number): Promise<boolean> {
    const acquired = await super.acquireLease(key, ttlMs);
    if (!acquired) {
      this.refused += 1;
      this.settle();
    }
    return acquired;
  }

  override subscribe(channel: string, handler: (message: string) => void, onGap?: () => void): Promise<void> {
    return super.subscribe(
      channel,
      (message) => {
        handler(message);
        this.delivered += 1;
        this.settle();
      },
      onGap,
    );
  }

  /** Resolves once this store has been refused a lease `count` times in all. */
  leaseRefusals(count: number): Promise<void> {
    return this.until('refused', count);
  }

  /** Resolves once `count` invalidation messages in all have been handled by this store's subscriber. */
  messages(count: number): Promise<void> {
    return this.until('delivered', count);
  }

  private until(kind: 'refused' | 'delivered', count: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({ kind, count, resolve });
      this.settle();
    });
  }

  private settle(): void {
    for (const entry of [...this.waiting]) {
      if ((entry.kind === 'refused' ? this.refused : this.delivered) < entry.count) continue;
      this.waiting.splice(this.waiting.indexOf(entry), 1);
      entry.resolve();
    }
  }
}

export async function redisCache(
  harness: RedisHarness,
  options: Partial<Omit<CacheOptions, 'store'>> = {},
  storeOptions: Partial<Omit<RedisStoreOptions, 'connection'>> = {},
): Promise<RedisCacheParts> {
  const store = new ObservedRedisStore({ connection: { mode: 'single', url: harness.url }, ...storeOptions });
  const cache = new Cache({ encryption: encryptionKeys('a'), ...options, store });
  if (!(await cache.ready(3000))) {
    // Closed, or its reconnect loop would keep the test process alive after the failure.
    await cache.close();
    throw new Error('the test cache did not connect to the harness Redis');
  }
  return { cache, store };
}

/** A plain client to look at what the cache wrote, as an operator (or an attacker with Redis access) would. */
export async function rawClient(harness: RedisHarness): Promise<Redis> {
  const client = new Redis(harness.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** How many times Redis ran a command since the last CONFIG RESETSTAT. */
export async function commandCalls(client: Redis, command: string): Promise<number> {
  const info = await client.info('commandstats');
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
  return match ? Number(match[1]) : 0;
}

export interface RedisPerFile {
  /** The file's private redis-server (set in before()). */
  harness(): RedisHarness;
  /** A plain client on it, to read what the cache stored. */
  raw(): Redis;
  /** A Cache on it, closed with the file. */
  open(...args: Parameters<typeof redisCache> extends [unknown, ...infer Rest] ? Rest : never): Promise<RedisCacheParts>;
}

/** Registers before/after hooks that start one redis-server for the calling test file and close what it opened. */
export function redisPerFile(): RedisPerFile {
  let harness: RedisHarness | undefined;
  let raw: Redis | undefined;
  const opened: RedisCacheParts[] = [];
  before(async () => {
    harness = await RedisHarness.start();
    raw = await rawClient(harness);
  });
  after(async () => {
    await Promise.all(opened.map(({ cache }) => cache.close()));
    raw?.disconnect();
    await harness?.close();
  });
  return {
    harness: () => harness as RedisHarness,
    raw: () => raw as Redis,
    async open(...args) {
      const parts = await redisCache(harness as RedisHarness, ...args);
      opened.push(parts);
      return parts;
    },
  };
}
