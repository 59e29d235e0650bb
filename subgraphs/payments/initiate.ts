// initiatePayment, made safe to retry. Order: the request is checked (validation.ts); the idempotency key is claimed
// in the store (a store that cannot be reached refuses the payment here, before any upstream call); the source account
// is read from the transfer provider (its holder, bank and currency come from there, not from the client); then one
// provider call creates the payment under a key derived from (tenant, principal, client key), so that a retry after a
// lost answer is replayed by the provider itself; then the payment is stored and the key marked done.
//
// Concurrency: exactly one caller holds a key's lease; the others poll the store until the holder is done (same
// payment), or its lease runs out (they take over with the same payment id and the same upstream key: still one
// payment upstream). A failure releases the lease at once, so the client's retry proceeds without waiting.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Principal } from '../../lib/auth/principal.js';
import { encodeAccountId } from '../../lib/domain/accountId.js';
import {
  badUserInput,
  ErrorCode,
  FinGraphError,
  idempotencyConflict,
  idempotencyStoreUnavailable,
  paymentOutcomeUnknown,
  upstreamTimeout,
  upstreamUnavailable,
} from '../../lib/errors/index.js';
import { formatAmount } from '../../lib/money/index.js';
import type { TransferChannel } from './connectors/transfers/index.js';
import type { Payment, PaymentRail } from './domain.js';
import type { PaymentsServices } from './services.js';
import { type Claim, PaymentStoreUnavailableError } from './store/paymentStore.js';
import {
  assertMatchesAccount,
  type InitiatePaymentInput,
  maskCounterparty,
  type PaymentRequest,
  validatePaymentInput,
} from './validation.js';

const POLL_MS = 25;

/**
 * How long a lapsed payment may still be taken over: inside the 24 hours both providers replay an idempotency key, with
 * an hour's margin. Past it, a second creation call would be a second payment.
 */
export const PROVIDER_REPLAY_WINDOW_MS = 23 * 3_600_000;

const channels: Readonly<Record<Exclude<PaymentRail, 'CARD'>, TransferChannel>> = {
  ACH: 'ach',
  WIRE: 'wire',
  FASTER_PAYMENTS: 'faster-payments',
  SEPA_CREDIT: 'sepa-credit',
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** The request's identity for idempotency: every field that changes what would be paid, in a fixed order. */
export function fingerprintOf(request: PaymentRequest): string {
  const { counterparty } = request;
  return sha256(
    JSON.stringify([
      request.sourceAccountId,
      request.amount.minor.toString(),
      request.amount.currency,
      request.rail,
      [
        counterparty.name,
        counterparty.accountNumber ?? null,
        counterparty.routingNumber ?? null,
        counterparty.sortCode ?? null,
        counterparty.iban ?? null,
        counterparty.bic ?? null,
      ],
      request.reference,
    ]),
  );
}

/** The key sent to the provider: the same for every retry of one client key, different across tenants and principals. */
export function upstreamKeyFor(principal: Principal, idempotencyKey: string): string {
  return `fg1-${sha256(JSON.stringify(['fingraph-payments-v1', principal.tenant, principal.sub, idempotencyKey]))}`;
}

const sourceRefused = () => badUserInput('The source account is not one you may debit', { field: 'sourceAccountId' });

async function execute(services: PaymentsServices, principal: Principal, request: PaymentRequest, paymentId: string): Promise<Payment> {
  const { store, transfers, processor } = services;
  const { tenant } = principal;
  // A caller that took over a lapsed lease may find the payment already made.
  const existing = await store.get(tenant, paymentId);
  if (existing) return existing;

  const source = await transfers.fundingSource(tenant, request.source.upstreamId);
  if (!source?.usable || source.ownerId !== request.source.ownerId || source.institutionId !== request.source.institutionId)
    throw sourceRefused();
  assertMatchesAccount(request, source.currency);

  const upstreamKey = upstreamKeyFor(principal, request.idempotencyKey);
  let created: { provider: 'processor' | 'transfers'; id: string; status: Payment['status'] };
  if (request.rail === 'CARD') {
    const intent = await processor.create(tenant, {
      idempotencyKey: upstreamKey,
      amountMinor: request.amount.minor,
      currency: request.amount.currency,
      accountId: request.source.upstreamId,
      description: request.reference ?? `FinGraph payment ${paymentId}`,
      paymentId,
    });
    // A replayed answer is the first one, as it was then: the intent may have moved on since.
    const current = intent.replayed ? await processor.retrieve(tenant, intent.id) : intent;
    created = { provider: 'processor', id: current.id, status: current.status };
  } else {
    const transfer = await transfers.create(tenant, {
      idempotencyKey: upstreamKey,
      accountId: request.source.upstreamId,
      amount: formatAmount(request.amount),
      currency: request.amount.currency,
      channel: channels[request.rail],
      counterparty: request.counterparty,
      reference: request.reference,
      paymentId,
    });
    created = { provider: 'transfers', id: transfer.id, status: transfer.status };
  }

  const now = new Date().toISOString();
  const payment: Payment = {
    id: paymentId,
    tenant,
    ownerId: request.source.ownerId,
    sourceAccountId: request.sourceAccountId,
    initiatedBy: principal.sub,
    rail: request.rail,
    amountMinor: request.amount.minor.toString(),
    currency: request.amount.currency,
    counterparty: maskCounterparty(request.counterparty),
    reference: request.reference,
    provider: created.provider,
    upstreamId: created.id,
    createdAt: now,
    status: created.status,
    updatedAt: now,
    statusHistory: [{ status: created.status, at: now, source: 'initiation' }],
  };
  // A holder that lost its lease may have stored this payment first: then the stored one, as it is now, is the answer.
  if (await store.save(payment)) return payment;
  return (await store.get(tenant, paymentId)) ?? payment;
}

export async function initiatePayment(services: PaymentsServices, principal: Principal, input: InitiatePaymentInput): Promise<Payment> {
  const validated = validatePaymentInput(principal, input);
  // The account id as the accounts subgraph mints it, so that the payment's listings and cache tags match its own.
  const request: PaymentRequest = { ...validated, sourceAccountId: encodeAccountId(validated.source) };
  const { store, config, logger } = services;
  const { tenant } = principal;
  const keyHash = sha256(JSON.stringify([principal.sub, request.idempotencyKey]));
  const fingerprint = fingerprintOf(request);
  const ttlMs = config.idempotencyTtlHours * 3_600_000;
  const waitUntil = Date.now() + config.idempotencyLeaseMs + config.providerTimeoutMs;
  const holder = randomBytes(12).toString('hex');

  for (;;) {
    let claim: Claim;
    try {
      claim = await store.claim({
        tenant,
        keyHash,
        fingerprint,
        paymentId: `pay_${randomBytes(12).toString('hex')}`,
        holder,
        leaseMs: config.idempotencyLeaseMs,
        ttlMs,
        replayWindowMs: PROVIDER_REPLAY_WINDOW_MS,
      });
    } catch (error) {
      if (error instanceof PaymentStoreUnavailableError) {
        logger.error({ store: store.kind }, 'payment refused: idempotency store unreachable');
        throw idempotencyStoreUnavailable();
      }
      throw error;
    }
    switch (claim.kind) {
      case 'conflict':
        throw idempotencyConflict();
      case 'unresolved':
        logger.error({ keyHash }, "payment left unresolved past the providers' replay window: not retried");
        throw paymentOutcomeUnknown();
      case 'done': {
        const payment = await store.get(tenant, claim.paymentId).catch(() => undefined);
        if (!payment) throw upstreamUnavailable('payments');
        return payment;
      }
      case 'busy':
        if (Date.now() > waitUntil) throw upstreamTimeout('payments');
        await sleep(POLL_MS);
        continue;
      case 'claimed':
        try {
          const payment = await execute(services, principal, request, claim.paymentId);
          await store.complete(tenant, keyHash, ttlMs);
          logger.info({ paymentId: payment.id, provider: payment.provider, rail: payment.rail }, 'payment initiated');
          return payment;
        } catch (error) {
          // Nothing reached a provider when the request itself was refused: the key is free for a corrected request.
          const refusedBeforeUpstream = error instanceof FinGraphError && error.code === ErrorCode.BAD_USER_INPUT;
          await store.release(tenant, keyHash, holder, refusedBeforeUpstream).catch(() => undefined);
          if (error instanceof PaymentStoreUnavailableError) throw idempotencyStoreUnavailable();
          throw error;
        }
    }
  }
}
