// The payments settings the README promises a lower bound for: the idempotency lease (three provider timeouts and a
// second), the idempotency record's life (24 hours at least) and, outside development, no development webhook secret.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../lib/config/env.js';
import { readPaymentsConfig } from '../../../subgraphs/payments/config.js';
import { productionEnv } from '../../support/productionEnv.js';

const development = { NODE_ENV: 'development', PAYMENTS_INTERNAL_KEY: Buffer.alloc(32, 9).toString('base64') };

function refusedVariable(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.variable;
  }
  assert.fail('the configuration was accepted');
}

describe('payments configuration', () => {
  it('takes a lease of exactly three provider timeouts and a second, and refuses a millisecond less', () => {
    const timeout = { PAYMENTS_PROVIDER_TIMEOUT_MS: '2000' };
    assert.equal(readPaymentsConfig({ ...development, ...timeout, PAYMENTS_IDEMPOTENCY_LEASE_MS: '7000' }).idempotencyLeaseMs, 7000);
    assert.equal(
      refusedVariable(() => readPaymentsConfig({ ...development, ...timeout, PAYMENTS_IDEMPOTENCY_LEASE_MS: '6999' })),
      'PAYMENTS_IDEMPOTENCY_LEASE_MS',
    );
    // The default lease suits the default timeout.
    const defaults = readPaymentsConfig(development);
    assert.ok(defaults.idempotencyLeaseMs >= 3 * defaults.providerTimeoutMs + 1000);
  });

  it('keeps an idempotency record 24 hours at least: the providers replay a key for 24 hours', () => {
    assert.equal(readPaymentsConfig(development).idempotencyTtlHours, 24);
    assert.equal(readPaymentsConfig({ ...development, PAYMENTS_IDEMPOTENCY_TTL_HOURS: '48' }).idempotencyTtlHours, 48);
    assert.equal(
      refusedVariable(() => readPaymentsConfig({ ...development, PAYMENTS_IDEMPOTENCY_TTL_HOURS: '23' })),
      'PAYMENTS_IDEMPOTENCY_TTL_HOURS',
    );
  });

  it('refuses both development webhook secrets outside development, and accepts secrets of its own', () => {
    const production = productionEnv('payments', { redisUrl: 'redis://127.0.0.1:1' });
    assert.equal(
      refusedVariable(() =>
        readPaymentsConfig({ ...production, PROCESSOR_WEBHOOK_SECRET: 'whsec_fingraph_dev_processor_0123456789abcdef' }),
      ),
      'PROCESSOR_WEBHOOK_SECRET',
    );
    assert.equal(
      refusedVariable(() =>
        readPaymentsConfig({ ...production, TRANSFERS_WEBHOOK_SECRET: 'fingraph-dev-transfers-webhook-secret-0123456789' }),
      ),
      'TRANSFERS_WEBHOOK_SECRET',
    );
    const own = readPaymentsConfig(production);
    assert.notEqual(own.processorWebhookSecret, 'whsec_fingraph_dev_processor_0123456789abcdef');
    assert.notEqual(own.transfersWebhookSecret, 'fingraph-dev-transfers-webhook-secret-0123456789');
  });
});
