// GCRA on Redis, shared by every gateway replica: one Lua script reads, judges and writes every budget a request
// draws on, in one round trip, on Redis's own clock (so replicas with skewed clocks still agree). The script is
// memoryStore.ts's gcraStep, with the all-or-nothing rule: the budgets are written only when every one allows.
// The client comes from lib/redis (one server, Sentinel or Cluster); each call's keys share one hash tag (keys.ts).
import { createRedisClient, type RedisClient, type RedisConnection, whenRedisReady } from '../../../lib/redis/index.js';
import { hashTagOf } from './keys.js';
import { type BudgetCharge, type BudgetState, gcraParameters, type RateLimitStore } from './store.js';

// KEYS: the budgets; ARGV: per budget its emission interval, its burst tolerance (both ms) and the cost in units.
// Returns per budget: 1 or 0 (whether it alone allows; nothing is written unless all do), then (TAT after the request − now) and (when it could pass − now), in ms.
const consumeScript = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local newTats, replies, all = {}, {}, true
for i = 1, #KEYS do
  local emission = tonumber(ARGV[i * 3 - 2])
  local tolerance = tonumber(ARGV[i * 3 - 1])
  local cost = tonumber(ARGV[i * 3])
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then tat = now end
  local newTat = tat + cost * emission
  local allowAt = newTat - tolerance
  local allowed = allowAt <= now
  if not allowed then all = false end
  newTats[i] = newTat
  replies[i] = { allowed, tat, allowAt }
end
local out = {}
for i = 1, #KEYS do
  local allowed, tat, allowAt = replies[i][1], replies[i][2], replies[i][3]
  local after = tat
  if all then
    after = newTats[i]
    redis.call('SET', KEYS[i], string.format('%.3f', after), 'PX', math.ceil(after - now) + 1000)
  end
  out[#out + 1] = allowed and 1 or 0
  out[#out + 1] = string.format('%.3f', after - now)
  out[#out + 1] = string.format('%.3f', allowAt - now)
end
return out`;

interface ScriptCommands {
  fgRateLimit(numKeys: number, ...args: (string | number)[]): Promise<(number | string)[]>;
}

export interface RedisRateLimitStoreOptions {
  readonly connection: RedisConnection;
  /** A charge not answered within this many milliseconds fails (and the fallback answers). Default 100. */
  readonly commandTimeoutMs?: number;
}

export class RedisRateLimitStore implements RateLimitStore {
  readonly kind: string;
  private readonly client: RedisClient;

  constructor(options: RedisRateLimitStoreOptions) {
    this.kind = `redis-${options.connection.mode}`;
    this.client = createRedisClient(options.connection, { commandTimeoutMs: options.commandTimeoutMs ?? 100 });
    this.client.defineCommand('fgRateLimit', { lua: consumeScript });
    // Outages are the fallback store's to report, once; without a listener ioredis would print every reconnect failure.
    this.client.on('error', () => undefined);
  }

  /** Resolves true once connected, false if not within timeoutMs (the fallback limits meanwhile). */
  ready(timeoutMs: number): Promise<boolean> {
    return whenRedisReady(this.client, timeoutMs);
  }

  async consume(charges: readonly BudgetCharge[]): Promise<readonly BudgetState[]> {
    if (charges.length === 0) return [];
    const tags = new Set(charges.map((charge) => hashTagOf(charge.key)));
    // One script touches one slot: keys.ts tags every budget of a request alike, so this is a programming error.
    if (tags.size > 1) throw new Error(`rate limit budgets span ${tags.size} hash tags`);
    if (this.client.status !== 'ready') throw new Error(`redis ${this.client.status}`);
    const args: (string | number)[] = [];
    for (const charge of charges) {
      const { emissionMs, toleranceMs } = gcraParameters(charge.rate);
      args.push(emissionMs, toleranceMs, charge.cost);
    }
    const script = this.client as unknown as ScriptCommands;
    const reply = await script.fgRateLimit(charges.length, ...charges.map((charge) => charge.key), ...args);
    return charges.map((charge, index) => {
      const { emissionMs, toleranceMs } = gcraParameters(charge.rate);
      const allowed = Number(reply[index * 3]) === 1;
      const afterMs = Number(reply[index * 3 + 1]);
      const allowAtMs = Number(reply[index * 3 + 2]);
      return {
        policy: charge.policy,
        rate: charge.rate,
        allowed,
        remaining: Math.max(0, Math.floor((toleranceMs - afterMs) / emissionMs + 1e-9)),
        retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(allowAtMs / 1000)),
        resetSeconds: Math.ceil(Math.max(0, afterMs) / 1000),
      };
    });
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
