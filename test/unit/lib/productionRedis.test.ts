// Payments and credit keep records of their own in Redis (idempotency keys and payments; customers' consents): in
// production they refuse to start without one, where an in-process store would keep them in one replica and lose them
// on restart. Outside production the in-process store is the documented default for `npm start`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../lib/config/env.js';
import { readCreditConfig } from '../../../subgraphs/credit/config.js';
import { readPaymentsConfig } from '../../../subgraphs/payments/config.js';

const key = Buffer.alloc(32, 9).toString('base64');
const production = {
  NODE_ENV: 'production', PAYMENTS_INTERNAL_KEY: key, CREDIT_INTERNAL_KEY: key,
  PROCESSOR_WEBHOOK_SECRET: 'whsec_production_processor_secret_0001', TRANSFERS_WEBHOOK_SECRET: 'production-transfers-secret-0001',
};
const withRedis = { REDIS_URL: 'redis://127.0.0.1:6390', CACHE_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}` };
const namesRedis = (error: unknown) => error instanceof ConfigError && error.variable === 'REDIS_URL';

describe('Redis in production, for the records payments and credit keep', () => {
  it('refuses to start payments or credit in production without Redis', () => {
    assert.throws(() => readPaymentsConfig(production), namesRedis);
    assert.throws(() => readCreditConfig(production), namesRedis);
  });

  it('starts them in production with Redis, and outside production without', () => {
    assert.ok(readPaymentsConfig({ ...production, ...withRedis }).cache.redis);
    assert.ok(readCreditConfig({ ...production, ...withRedis }).cache.redis);
    const { NODE_ENV: _omitted, ...development } = production;
    assert.equal(readPaymentsConfig(development).cache.redis, undefined);
    assert.equal(readCreditConfig(development).cache.redis, undefined);
  });
});
