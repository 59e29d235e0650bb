// The payment store in Redis (one server, Sentinel or Cluster). A tenant's keys share a hash tag (`{tenant}`), so each
// Lua script touches one slot and tenants spread over the slots; the provider-id map and the webhook event ids are
// read before the tenant is known, so each is tagged by its own provider id and written alone (redisPaymentKeys.ts).
// The client is lib/redis's (its Sentinel and Cluster tuning, its reconnection); commands time out fast and never queue
// while Redis is away: a payment is refused rather than left waiting.
//
//   <prefix>:{<tenant>}:pay:idem:<hash>     hash  fp, paymentId, state (pending|done), leaseUntil   TTL: the record's life
//   <prefix>:{<tenant>}:pay:p:<id>          hash  record (JSON), status, rank, updatedAt          no TTL (the history)
//   <prefix>:{<tenant>}:pay:h:<id>          list  status changes (JSON), oldest first
//   <prefix>:{<tenant>}:pay:owner:<hash>    zset  listing positions of a holder's payments (lexicographic)
//   <prefix>:{<tenant>}:pay:account:<hash>  zset  listing positions of an account's payments
//   <prefix>:{<provider>:<hash>}:pay:upstream  string "<tenant> <payment id>", by the provider's payment id
//   <prefix>:{<provider>:<hash>}:pay:event     string "1", by the event id                        TTL: replay window

import type { Logger } from '../../../lib/logging/logger.js';
import { createRedisClient, type RedisClient, type RedisConnection, whenRedisReady } from '../../../lib/redis/index.js';
import type { Payment, PaymentPage, PaymentRecord, ProviderId, StatusChange } from '../domain.js';
import { type PaymentStatus, paymentStatuses, statusRank } from '../statusMachine.js';
import {
  type Claim,
  type ClaimRequest,
  type ListQuery,
  listPosition,
  type PaymentStore,
  PaymentStoreUnavailableError,
} from './paymentStore.js';
import { PaymentKeys } from './redisPaymentKeys.js';

// Time is Redis's own (TIME), so replicas with skewed clocks agree on when a lease lapses.
const claimScript = `
local fp, id, holder, lease, ttl, window = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local found = redis.call('HMGET', KEYS[1], 'fp', 'paymentId', 'state', 'leaseUntil', 'createdAt')
if not found[1] then
  redis.call('HSET', KEYS[1], 'fp', fp, 'paymentId', id, 'state', 'pending', 'leaseUntil', now + lease, 'holder', holder, 'createdAt', now)
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {'claimed', id}
end
if found[1] ~= fp then return {'conflict', ''} end
if found[3] == 'done' then return {'done', found[2]} end
if tonumber(found[4]) < now then
  -- A record without createdAt (claimed before it was kept) is dated by its expiry, set when it was claimed.
  local created = tonumber(found[5]) or (now - (ttl - redis.call('PTTL', KEYS[1])))
  if now - created > window then return {'unresolved', found[2]} end
  redis.call('HSET', KEYS[1], 'leaseUntil', now + lease, 'holder', holder)
  return {'claimed', found[2]}
end
return {'busy', found[2]}`;

// Only a record that still exists is marked done: a stub without its fingerprint would answer for no request.
const completeScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

const releaseScript = `
if redis.call('HGET', KEYS[1], 'holder') ~= ARGV[1] then return 0 end
if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) else redis.call('HSET', KEYS[1], 'leaseUntil', 0) end
return 1`;

const saveScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'record', ARGV[1], 'status', ARGV[2], 'rank', ARGV[3], 'updatedAt', ARGV[4])
redis.call('RPUSH', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[3], 0, ARGV[6])
redis.call('ZADD', KEYS[4], 0, ARGV[6])
return 1`;

// Forward only: a change that does not raise the status's rank is not applied.
const transitionScript = `
local rank = redis.call('HGET', KEYS[1], 'rank')
if not rank then return -1 end
if tonumber(ARGV[2]) <= tonumber(rank) then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'rank', ARGV[2], 'updatedAt', ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[4])
return 1`;

interface Scripts {
  fgPayClaim(numKeys: number, ...args: (string | number)[]): Promise<[string, string]>;
  fgPaySave(numKeys: number, ...args: (string | number)[]): Promise<number>;
  fgPayRelease(numKeys: number, ...args: (string | number)[]): Promise<number>;
  fgPayComplete(numKeys: number, ...args: (string | number)[]): Promise<number>;
  fgPayTransition(numKeys: number, ...args: (string | number)[]): Promise<number>;
}

function isStatus(value: unknown): value is PaymentStatus {
  return typeof value === 'string' && (paymentStatuses as readonly string[]).includes(value);
}

export const defaultPaymentCommandTimeoutMs = 500;

export interface RedisPaymentStoreOptions {
  readonly connection: RedisConnection;
  readonly prefix: string;
  /** Default 500 ms. */
  readonly commandTimeoutMs?: number;
  readonly logger?: Logger;
}

export class RedisPaymentStore implements PaymentStore {
  readonly kind: string;
  private readonly client: RedisClient;
  private readonly keys: PaymentKeys;

  constructor(options: RedisPaymentStoreOptions) {
    this.kind = `redis-${options.connection.mode}`;
    this.keys = new PaymentKeys(options.prefix);
    // Longer than the cache's: a payment command that waits a little beats a payment refused.
    this.client = createRedisClient(options.connection, { commandTimeoutMs: options.commandTimeoutMs ?? defaultPaymentCommandTimeoutMs });
    this.client.defineCommand('fgPayClaim', { lua: claimScript });
    this.client.defineCommand('fgPaySave', { lua: saveScript });
    this.client.defineCommand('fgPayRelease', { lua: releaseScript });
    this.client.defineCommand('fgPayComplete', { lua: completeScript });
    this.client.defineCommand('fgPayTransition', { lua: transitionScript });
    let warned = false;
    this.client.on('error', (error: Error) => {
      if (warned) return;
      warned = true;
      options.logger?.warn({ store: this.kind, error: error.name }, 'payment store not reachable: payments are refused until it is');
    });
    this.client.on('ready', () => {
      warned = false;
    });
  }

  /** Resolves once connected, or after timeoutMs (commands then fail until Redis answers). */
  ready(timeoutMs: number): Promise<boolean> {
    return whenRedisReady(this.client, timeoutMs);
  }

  private get scripts(): Scripts {
    return this.client as unknown as Scripts;
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new PaymentStoreUnavailableError(error instanceof Error ? error.name : 'unknown');
    }
  }

  claim(request: ClaimRequest): Promise<Claim> {
    return this.run(async () => {
      const [kind, paymentId] = await this.scripts.fgPayClaim(
        1,
        this.keys.idempotency(request.tenant, request.keyHash),
        request.fingerprint,
        request.paymentId,
        request.holder,
        request.leaseMs,
        request.ttlMs,
        request.replayWindowMs,
      );
      if (kind === 'claimed' || kind === 'done') return { kind, paymentId };
      if (kind === 'unresolved') return { kind };
      return kind === 'conflict' ? { kind: 'conflict' } : { kind: 'busy' };
    });
  }

  complete(tenant: string, keyHash: string, ttlMs: number): Promise<void> {
    return this.run(async () => {
      await this.scripts.fgPayComplete(1, this.keys.idempotency(tenant, keyHash), ttlMs);
    });
  }

  release(tenant: string, keyHash: string, holder: string, forget: boolean): Promise<void> {
    return this.run(async () => {
      await this.scripts.fgPayRelease(1, this.keys.idempotency(tenant, keyHash), holder, forget ? '1' : '0');
    });
  }

  save(payment: Payment): Promise<boolean> {
    const { status, updatedAt, statusHistory, ...record } = payment;
    const first = statusHistory[0];
    const position = listPosition(payment);
    return this.run(async () => {
      // The provider-id map first (it lives in another slot, so it cannot share the script): a payment record that
      // exists always has its map, and a webhook for it is never answered "unknown" for good.
      await this.client.set(this.keys.upstream(payment.provider, payment.upstreamId), `${payment.tenant} ${payment.id}`);
      return (
        (await this.scripts.fgPaySave(
          4,
          ...this.keys.save(payment),
          JSON.stringify(record),
          status,
          statusRank[status],
          updatedAt,
          JSON.stringify(first),
          position,
        )) === 1
      );
    });
  }

  get(tenant: string, id: string): Promise<Payment | undefined> {
    return this.run(async () => (await this.getMany(tenant, [id]))[0]);
  }

  private async getMany(tenant: string, ids: readonly string[]): Promise<Payment[]> {
    if (ids.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const id of ids) {
      pipeline.hmget(this.keys.record(tenant, id), 'record', 'status', 'updatedAt');
      pipeline.lrange(this.keys.history(tenant, id), 0, -1);
    }
    const results = (await pipeline.exec()) ?? [];
    const payments: Payment[] = [];
    for (let index = 0; index < ids.length; index += 1) {
      const [recordError, fields] = results[index * 2] ?? [];
      const [historyError, history] = results[index * 2 + 1] ?? [];
      if (recordError || historyError) throw recordError ?? historyError;
      const [record, status, updatedAt] = fields as [string | null, string | null, string | null];
      if (!record || !isStatus(status) || !updatedAt) continue;
      payments.push({
        ...(JSON.parse(record) as PaymentRecord),
        status,
        updatedAt,
        statusHistory: (history as string[]).map((entry) => JSON.parse(entry) as StatusChange),
      });
    }
    return payments;
  }

  transition(tenant: string, id: string, change: StatusChange): Promise<boolean> {
    return this.run(
      async () =>
        (await this.scripts.fgPayTransition(
          2,
          ...this.keys.transition(tenant, id),
          change.status,
          statusRank[change.status],
          change.at,
          JSON.stringify(change),
        )) === 1,
    );
  }

  list(query: ListQuery): Promise<PaymentPage> {
    const key = this.keys.listing(query.tenant, query.index.kind, query.index.id);
    return this.run(async () => {
      const positions = await this.client.zrevrangebylex(
        key,
        query.after === undefined ? '+' : `(${query.after}`,
        '-',
        'LIMIT',
        0,
        query.first + 1,
      );
      const page = positions.slice(0, query.first);
      const payments = await this.getMany(
        query.tenant,
        page.map((position) => position.split('|')[1] ?? ''),
      );
      return { payments, next: positions.length > query.first ? page.at(-1) : undefined };
    });
  }

  findByUpstream(provider: ProviderId, upstreamId: string) {
    return this.run(async () => {
      const value =
        (await this.client.get(this.keys.upstream(provider, upstreamId))) ??
        // Payments saved before the map moved to its own tag are found where it used to be.
        (await this.client.get(this.keys.legacyUpstream(provider, upstreamId)));
      const [tenant, id] = value?.split(' ') ?? [];
      return tenant && id ? { tenant, id } : undefined;
    });
  }

  rememberEvent(provider: ProviderId, eventId: string, ttlMs: number): Promise<boolean> {
    return this.run(async () => (await this.client.set(this.keys.event(provider, eventId), '1', 'PX', ttlMs, 'NX')) === 'OK');
  }

  forgetEvent(provider: ProviderId, eventId: string): Promise<void> {
    return this.run(async () => {
      await this.client.del(this.keys.event(provider, eventId));
    });
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
