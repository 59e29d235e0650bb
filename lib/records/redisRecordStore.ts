// The record store in Redis, on a client from lib/redis: one key per record with Redis's own expiry, every change one
// command or one single-key Lua script. A failure is thrown to the caller (who fails closed); nothing is retried here.
// Records are only as safe as the server's eviction policy: on ready it reads maxmemory_policy and warns when Redis
// may evict keys (anything but noeviction), since a consent or an inquiry mark could then disappear.
import type { Logger } from '../logging/logger.js';
import { createRedisClient, type RedisClient, type RedisConnection, whenRedisReady } from '../redis/index.js';
import type { RecordStore } from './recordStore.js';

export interface RedisRecordStoreOptions {
  readonly connection: RedisConnection;
  /** A command not answered within this many milliseconds fails. Default lib/redis's (100). */
  readonly commandTimeoutMs?: number;
  readonly logger?: Logger;
}

const deleteIfValueScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface Scripts {
  fgRecordDeleteIfValue(numKeys: number, key: string, value: string): Promise<number>;
}

/** The eviction policy from `INFO memory`, or undefined when the server does not say. */
export function evictionPolicyOf(info: string): string | undefined {
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
}

export class RedisRecordStore implements RecordStore {
  readonly kind: string;
  private readonly client: RedisClient;

  constructor(options: RedisRecordStoreOptions) {
    this.kind = `redis-${options.connection.mode}`;
    this.client = createRedisClient(
      options.connection,
      options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs },
    );
    this.client.defineCommand('fgRecordDeleteIfValue', { lua: deleteIfValueScript });
    let warned = false;
    // Without a listener ioredis would print every reconnection failure; one warning per outage is enough.
    this.client.on('error', (error: Error) => {
      if (warned) return;
      warned = true;
      options.logger?.warn({ store: this.kind, error: error.name }, 'record store not reachable: records are refused until it is');
    });
    this.client.on('ready', () => {
      warned = false;
      this.client
        .info('memory')
        .then((info) => {
          const policy = evictionPolicyOf(info);
          if (policy !== undefined && policy !== 'noeviction') {
            options.logger?.warn(
              { store: this.kind, maxmemoryPolicy: policy },
              'record store: Redis may evict keys under memory pressure (maxmemory-policy is not noeviction): records could be lost',
            );
          }
        })
        .catch(() => undefined);
    });
  }

  private get scripts(): Scripts {
    return this.client as unknown as Scripts;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(key)) ?? undefined;
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(key)) > 0;
  }

  async deleteIfValue(key: string, value: string): Promise<boolean> {
    return (await this.scripts.fgRecordDeleteIfValue(1, key, value)) > 0;
  }

  ready(timeoutMs: number): Promise<boolean> {
    return whenRedisReady(this.client, timeoutMs);
  }

  async close(): Promise<void> {
    // disconnect, not quit: quit would wait on a Redis that may be down.
    this.client.disconnect();
  }
}
