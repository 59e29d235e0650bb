// The Redis backend on a client from lib/redis: one server, Sentinel or Cluster, chosen by a typed connection. Commands
// time out fast and never queue while disconnected; a circuit breaker, not the client's reconnect loop, decides when
// to stop calling Redis, and the client keeps reconnecting in the background so the cache returns by itself. Every
// multi-step write is one Lua script (atomic); in Cluster mode a tenant's keys share a hash tag, so one slot.
import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { createRedisClient, type RedisClient, type RedisConnection, whenRedisReady } from '../redis/index.js';
import { type BreakerOptions, type BreakerState, CircuitBreaker } from './breaker.js';
import { hashTagOf } from './keys.js';
import { type CacheStore, type MessageHandler, StoreUnavailableError } from './store.js';

export interface RedisStoreOptions {
  connection: RedisConnection;
  /** A command not answered within this many milliseconds fails (and counts toward the breaker). Default 100. */
  commandTimeoutMs?: number;
  /** How long one connection attempt may take, in milliseconds. Default 1000. */
  connectTimeoutMs?: number;
  /** Defaults: 5 consecutive failures open the breaker for 2000 ms. */
  breaker?: Pick<BreakerOptions, 'failureThreshold' | 'coolDownMs'>;
  logger?: Logger;
}

type Client = RedisClient;

// SET with a time-to-live, and the key added to each tag set (KEYS[2..]) whose life is extended to cover it.
const setTaggedScript = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`;

const tagKeysScript = `
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]) end
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

// The tagged keys share the tag set's hash tag (one tenant), so they live on the same node and slot.
const invalidateTagScript = `
local members = redis.call('SMEMBERS', KEYS[1])
local deleted = 0
for i = 1, #members, 500 do
  deleted = deleted + redis.call('DEL', unpack(members, i, math.min(i + 499, #members)))
end
redis.call('DEL', KEYS[1])
return deleted`;

// Deletes a lease only if it still holds our token: after it expired, another replica may hold it.
const releaseLeaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface ScriptCommands {
  fgSetTagged(numKeys: number, ...args: (string | number)[]): Promise<number>;
  fgTagKeys(numKeys: number, ...args: (string | number)[]): Promise<number>;
  fgInvalidateTag(numKeys: number, ...args: string[]): Promise<number>;
  fgReleaseLease(numKeys: number, ...args: string[]): Promise<number>;
}

/** Reply errors mean Redis answered; only those saying the server cannot serve count as failures. */
function isStoreFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (error.name !== 'ReplyError') return true;
  return /^(CLUSTERDOWN|LOADING|MASTERDOWN|TRYAGAIN|READONLY|BUSY)/.test(error.message);
}

function groupBySlotTag(keys: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  keys.forEach((key, index) => {
    const tag = hashTagOf(key);
    const group = groups.get(tag);
    if (group) group.push(index);
    else groups.set(tag, [index]);
  });
  return groups;
}

export class RedisStore implements CacheStore {
  readonly kind: string;
  private readonly client: Client;
  private subscriber: Client | undefined;
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  private readonly gapHandlers = new Set<() => void>();
  private readonly breaker: CircuitBreaker;
  private readonly leaseTokens = new Map<string, string>();
  private everReady = false;
  private unreachableLogged = false;
  private closed = false;

  constructor(private readonly options: RedisStoreOptions) {
    const { connection } = options;
    this.kind = `redis-${connection.mode}`;
    this.breaker = new CircuitBreaker({ ...options.breaker, isFailure: isStoreFailure, logger: options.logger, name: this.kind });
    this.client = this.createClient();
    this.client.defineCommand('fgSetTagged', { lua: setTaggedScript });
    this.client.defineCommand('fgTagKeys', { lua: tagKeysScript });
    this.client.defineCommand('fgInvalidateTag', { lua: invalidateTagScript });
    this.client.defineCommand('fgReleaseLease', { lua: releaseLeaseScript });
    this.client.on('ready', () => {
      this.everReady = true;
    });
    // Errors are the breaker's to judge; without a listener ioredis would print each reconnect failure.
    this.client.on('error', (error: Error) => {
      if (this.everReady || this.unreachableLogged) return;
      this.unreachableLogged = true;
      options.logger?.warn(
        { store: this.kind, error: `${error.name}: ${error.message}`.slice(0, 200) },
        'cache store not reachable yet: reads go to the upstream until it is',
      );
    });
  }

  /** The breaker's state, for health checks and tests. */
  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /** Commands the open breaker refused without sending them. */
  get breakerRefusals(): number {
    return this.breaker.refused;
  }

  private createClient(): Client {
    const { connection, commandTimeoutMs, connectTimeoutMs } = this.options;
    return createRedisClient(connection, {
      ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
      ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
    });
  }

  private get scripts(): ScriptCommands {
    return this.client as unknown as ScriptCommands;
  }

  /** Every command goes through the breaker; before the first connection nothing is counted, as nothing failed. */
  private guarded<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('closed'));
    if (!this.everReady) return Promise.reject(new StoreUnavailableError('not connected yet'));
    return this.breaker.run(operation);
  }

  mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    if (this.options.connection.mode !== 'cluster') return this.guarded(() => this.client.mget(...keys));
    // A cluster refuses an MGET across slots: one MGET per tenant (hash tag), sent together.
    return this.guarded(async () => {
      const result: (string | null)[] = new Array<string | null>(keys.length).fill(null);
      await Promise.all(
        [...groupBySlotTag(keys).values()].map(async (indexes) => {
          const values = await this.client.mget(...indexes.map((index) => keys[index] as string));
          indexes.forEach((index, position) => {
            result[index] = values[position] ?? null;
          });
        }),
      );
      return result;
    });
  }

  set(key: string, value: string, ttlMs: number, tagKeys: readonly string[] = []): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    return this.guarded(async () => {
      if (tagKeys.length === 0) await this.client.set(key, value, 'PX', ttl);
      else await this.scripts.fgSetTagged(1 + tagKeys.length, key, ...tagKeys, value, ttl);
    });
  }

  del(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return Promise.resolve(0);
    return this.guarded(async () => {
      const groups = this.options.connection.mode === 'cluster' ? [...groupBySlotTag(keys).values()] : [keys.map((_, i) => i)];
      const counts = await Promise.all(groups.map((indexes) => this.client.del(...indexes.map((index) => keys[index] as string))));
      return counts.reduce((sum, count) => sum + count, 0);
    });
  }

  tagKeys(tagKey: string, keys: readonly string[], ttlMs: number): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.guarded(async () => {
      await this.scripts.fgTagKeys(1, tagKey, Math.max(1, Math.ceil(ttlMs)), ...keys);
    });
  }

  invalidateTag(tagKey: string): Promise<number> {
    return this.guarded(() => this.scripts.fgInvalidateTag(1, tagKey));
  }

  acquireLease(key: string, ttlMs: number): Promise<boolean> {
    const token = randomBytes(12).toString('base64url');
    return this.guarded(async () => {
      const reply = await this.client.set(key, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      if (reply !== 'OK') return false;
      this.leaseTokens.set(key, token);
      return true;
    });
  }

  releaseLease(key: string): Promise<void> {
    const token = this.leaseTokens.get(key);
    this.leaseTokens.delete(key);
    if (token === undefined) return Promise.resolve();
    return this.guarded(async () => {
      await this.scripts.fgReleaseLease(1, key, token);
    });
  }

  publish(channel: string, message: string): Promise<void> {
    return this.guarded(async () => {
      await this.client.publish(channel, message);
    });
  }

  /**
   * Subscribes on a second connection (a subscribed connection can issue nothing else). It queues while Redis is
   * away and resubscribes when it returns; onGap runs then, since messages sent meanwhile were lost.
   */
  async subscribe(channel: string, handler: MessageHandler, onGap?: () => void): Promise<void> {
    if (this.closed) throw new StoreUnavailableError('closed');
    const subscriber = this.subscriber ?? this.createSubscriber();
    const set = this.handlers.get(channel) ?? new Set<MessageHandler>();
    set.add(handler);
    this.handlers.set(channel, set);
    if (onGap) this.gapHandlers.add(onGap);
    await subscriber.subscribe(channel);
  }

  private createSubscriber(): Client {
    // autoResubscribe off: ioredis's own resubscription after a reconnect leaves its promise unhandled, so a close
    // during a reconnect crashed the process with "Connection is closed"; the 'ready' handler below resubscribes.
    const override = { enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined, autoResubscribe: false };
    const subscriber =
      this.client instanceof Cluster
        ? this.client.duplicate(undefined, { enableOfflineQueue: true, redisOptions: { ...override } })
        : this.client.duplicate(override);
    this.subscriber = subscriber;
    let connectedBefore = false;
    subscriber.on('error', () => {
      /* reconnects by itself; the command connection's breaker reports outages */
    });
    subscriber.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) {
        try {
          handler(message);
        } catch {
          /* a subscriber's failure is its own */
        }
      }
    });
    subscriber.on('ready', () => {
      if (connectedBefore) {
        // ioredis resubscribes by itself; subscribing again also covers a first SUBSCRIBE that never got through.
        subscriber.subscribe(...this.handlers.keys()).catch(() => undefined);
        for (const onGap of this.gapHandlers) onGap();
      }
      connectedBefore = true;
    });
    return subscriber;
  }

  ready(timeoutMs: number): Promise<boolean> {
    return whenRedisReady(this.client, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // disconnect, not quit: quit would wait on a Redis that may be down, and nothing pending matters any more.
    this.subscriber?.disconnect();
    this.client.disconnect();
  }
}
