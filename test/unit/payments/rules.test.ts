// The payments rules that need no server: rail currencies and limits, which payee field each broken rule names, the
// forward-only state machine with both providers' mappings, and webhook signature checks (raw body, tolerance).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Principal } from '../../../lib/auth/principal.js';
import { encodeAccountId } from '../../../lib/domain/accountId.js';
import { FinGraphError } from '../../../lib/errors/index.js';
import { fromProcessor, verifyStripeSignature } from '../../../subgraphs/payments/connectors/processor/index.js';
import { fromTransfers, fromTransfersTopic, verifyBodySignature } from '../../../subgraphs/payments/connectors/transfers/index.js';
import { advances, paymentStatuses } from '../../../subgraphs/payments/statusMachine.js';
import { type InitiatePaymentInput, maskCounterparty, validatePaymentInput } from '../../../subgraphs/payments/validation.js';

const principal: Principal = { sub: 'cus_1', tenant: 'acme', customerId: 'cus_1', scopes: ['payments:write'], amr: ['otp'] };
const account = encodeAccountId({ tenant: 'acme', institutionId: 'northwind', ownerId: 'cus_1', upstreamId: 'a1' });
const input = (overrides: Partial<InitiatePaymentInput> = {}): InitiatePaymentInput => ({
  idempotencyKey: 'key-12345678',
  sourceAccountId: account,
  amount: { amount: '10.00', currency: 'GBP' },
  rail: 'FASTER_PAYMENTS',
  counterparty: { name: 'Payee', accountNumber: '12345678', sortCode: '12-34-56' },
  reference: null,
  ...overrides,
});
const fieldOf = (build: () => unknown) => {
  try {
    build();
  } catch (error) {
    assert.ok(error instanceof FinGraphError);
    assert.equal(error.code, 'BAD_USER_INPUT');
    return error.extensions.field;
  }
  return undefined;
};

describe('payment rules', () => {
  it('normalises and keeps a valid request', () => {
    const request = validatePaymentInput(principal, input());
    assert.equal(request.amount.minor, 1000n);
    assert.equal(request.counterparty.sortCode, '123456');
  });

  it('names the field of each broken rule', () => {
    assert.equal(
      fieldOf(() => validatePaymentInput(principal, input({ amount: { amount: '1.001', currency: 'GBP' } }))),
      'amount.amount',
    );
    assert.equal(
      fieldOf(() => validatePaymentInput(principal, input({ amount: { amount: '1000000.01', currency: 'GBP' } }))),
      'amount.amount',
    );
    assert.equal(
      fieldOf(() => validatePaymentInput(principal, input({ amount: { amount: '10.00', currency: 'EUR' } }))),
      'amount.currency',
    );
    assert.equal(
      fieldOf(() => validatePaymentInput(principal, input({ reference: 'x'.repeat(19) }))),
      'reference',
    );
    assert.equal(
      fieldOf(() => validatePaymentInput(principal, input({ rail: 'CARD', amount: { amount: '10000.01', currency: 'GBP' } }))),
      'amount.amount',
    );
    assert.equal(
      fieldOf(() => validatePaymentInput({ ...principal, tenant: 'globex' }, input())),
      'sourceAccountId',
    );
    assert.equal(
      fieldOf(() => validatePaymentInput({ ...principal, customerId: undefined }, input())),
      'sourceAccountId',
    );
    assert.equal(
      fieldOf(() => validatePaymentInput(principal, input({ idempotencyKey: 'has space in it' }))),
      'idempotencyKey',
    );
  });

  it('masks account numbers and IBANs', () => {
    assert.deepEqual(maskCounterparty({ name: 'P', accountNumber: '12345678', sortCode: '123456' }), {
      name: 'P',
      maskedAccountNumber: '••••5678',
      routingNumber: null,
      sortCode: '123456',
      maskedIban: null,
      bic: null,
    });
    assert.equal(maskCounterparty({ name: 'P', iban: 'DE89370400440532013000' }).maskedIban, 'DE89••••3000');
    // A short account number shows at most half its digits: four of five would all but reveal it.
    assert.equal(maskCounterparty({ name: 'P', accountNumber: '1234', routingNumber: '021000021' }).maskedAccountNumber, '••••34');
    assert.equal(maskCounterparty({ name: 'P', accountNumber: '12345', routingNumber: '021000021' }).maskedAccountNumber, '••••45');
  });

  it('moves statuses forward only; terminal statuses never replace each other', () => {
    assert.equal(advances('PENDING', 'PROCESSING'), true);
    assert.equal(advances('PROCESSING', 'SETTLED'), true);
    assert.equal(advances('PENDING', 'CANCELLED'), true);
    assert.equal(advances('SETTLED', 'PROCESSING'), false);
    assert.equal(advances('SETTLED', 'FAILED'), false);
    assert.equal(advances('CANCELLED', 'SETTLED'), false);
    for (const status of paymentStatuses) assert.equal(advances(status, status), false);
  });

  it('maps both providers onto one state machine', () => {
    assert.equal(fromProcessor('processing'), 'PROCESSING');
    assert.equal(fromProcessor('succeeded'), 'SETTLED');
    assert.equal(fromProcessor('canceled'), 'CANCELLED');
    assert.equal(fromProcessor('requires_payment_method', 'payment_intent.payment_failed'), 'FAILED');
    assert.equal(fromProcessor('requires_payment_method'), 'PENDING');
    assert.equal(fromProcessor('unknown'), undefined);
    assert.equal(fromTransfers('pending'), 'PENDING');
    assert.equal(fromTransfers('processed'), 'SETTLED');
    assert.equal(fromTransfers('failed'), 'FAILED');
    assert.equal(fromTransfers('cancelled'), 'CANCELLED');
    assert.equal(fromTransfersTopic('transfer_completed'), 'SETTLED');
    assert.equal(fromTransfersTopic('customer_created'), undefined);
  });

  it('verifies Stripe signatures over the raw body within the tolerance', () => {
    const body = Buffer.from('{"id":"evt_1"}');
    const now = 1_800_000_000_000;
    const t = now / 1000;
    const sign = (secret: string, time: number, payload = body) =>
      `t=${time},v1=${createHmac('sha256', secret).update(`${time}.${payload.toString()}`).digest('hex')}`;
    assert.deepEqual(verifyStripeSignature('s3cret-s3cret-s3', sign('s3cret-s3cret-s3', t), body, 300, now), { ok: true, timestamp: t });
    assert.deepEqual(
      verifyStripeSignature('s3cret-s3cret-s3', `t=${t},v1=00,${sign('s3cret-s3cret-s3', t).split(',')[1]}`, body, 300, now),
      { ok: true, timestamp: t },
    );
    assert.deepEqual(verifyStripeSignature('s3cret-s3cret-s3', sign('other-secret-000', t), body, 300, now), {
      ok: false,
      reason: 'mismatch',
    });
    assert.deepEqual(verifyStripeSignature('s3cret-s3cret-s3', sign('s3cret-s3cret-s3', t), Buffer.from('{"id":"evt_1" }'), 300, now), {
      ok: false,
      reason: 'mismatch',
    });
    assert.deepEqual(verifyStripeSignature('s3cret-s3cret-s3', sign('s3cret-s3cret-s3', t - 301), body, 300, now), {
      ok: false,
      reason: 'stale',
    });
    assert.deepEqual(verifyStripeSignature('s3cret-s3cret-s3', 'v1=abc', body, 300, now), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyStripeSignature('s3cret-s3cret-s3', undefined, body, 300, now), { ok: false, reason: 'missing' });
    const hmac = createHmac('sha256', 'k'.repeat(20)).update(body).digest('hex');
    assert.deepEqual(verifyBodySignature('k'.repeat(20), hmac, body), { ok: true });
    assert.deepEqual(verifyBodySignature('k'.repeat(20), hmac.replace(/^./, hmac[0] === 'a' ? 'b' : 'a'), body), {
      ok: false,
      reason: 'mismatch',
    });
  });
});
