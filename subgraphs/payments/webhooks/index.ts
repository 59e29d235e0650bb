// POST /webhooks/processor and /webhooks/transfers on the payments service. Each delivery is checked in this order:
// signature over the raw body (400 when missing or wrong; the processor signs each delivery afresh, with its time, so a
// stale processor signature is refused there), payload shape (400; a well-signed event of a type FinGraph does not
// follow is acknowledged and ignored, so the provider does not retry it for days), then its event id is remembered: an id seen before is a replay or a duplicate
// delivery and changes nothing (200, so the provider stops retrying). The event's status is then applied forward
// only (statusMachine.ts); an event for a payment not stored (yet) answers 409 so that the provider retries. Every accepted
// or refused delivery is logged with its event id when there is one, never with its body. A store failure answers
// 500 and forgets the event id, so the provider's retry is applied.
//
// The transfer provider signs the event once, when it happens, and its retries resend that body: after an outage of
// more than PAYMENTS_WEBHOOK_TOLERANCE_SECONDS a genuine delivery is old. Such an event is not refused (nothing would
// ever apply it) nor trusted: the transfer is read again from the provider and its current status applied.
//
// This file is the pipeline only: each provider's wire format (signature header, event schema, status words) lives in
// its folder, connectors/<provider>/, and reaches the pipeline as a WebhookSource (source.ts).
import type { RawRoute } from '../../../lib/server/graphqlHttp.js';
import { processorWebhook } from '../connectors/processor/index.js';
import { transfersWebhook } from '../connectors/transfers/index.js';
import type { PaymentsServices } from '../services.js';
import { isTerminal } from '../statusMachine.js';
import { applyStatus } from '../statusUpdates.js';
import { IGNORED, type ParsedEvent, type WebhookSource } from './source.js';

/**
 * Event ids are remembered well past the tolerance. A processor replay older than that is refused by its signed time;
 * a transfer event older than that is reconciled with the provider (its status is the provider's, never the event's).
 */
const EVENT_MEMORY_MS = 7 * 24 * 3_600_000;

/** The event id a refused delivery claims to carry, for the log only (it is not trusted for anything else). */
function claimedEventId(body: Buffer): string | undefined {
  try {
    const id = (JSON.parse(body.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' && id.length <= 255 ? id : undefined;
  } catch {
    return undefined;
  }
}

function route(services: PaymentsServices, source: WebhookSource): RawRoute {
  const { store, config } = services;
  const logger = services.logger.child({ component: 'webhooks', provider: source.provider });
  const refuse = (reason: string, eventId?: string) => {
    logger.warn({ eventId, reason }, 'webhook refused');
    return { status: 400, body: { error: reason } };
  };
  return {
    method: 'POST',
    path: `/webhooks/${source.provider}`,
    async handle(request) {
      const verdict = source.verify(request.headers, request.body);
      if (!verdict.ok) return refuse(`signature ${verdict.reason}`, claimedEventId(request.body));
      let event: ParsedEvent | typeof IGNORED | undefined;
      try {
        event = source.parse(JSON.parse(request.body.toString('utf8')));
      } catch {
        event = undefined;
      }
      if (!event) return refuse('malformed payload', claimedEventId(request.body));
      if (event === IGNORED) {
        logger.info({ eventId: claimedEventId(request.body), outcome: 'ignored' }, 'webhook of a type not followed');
        return { status: 200, body: { received: true } };
      }
      const stale = event.at !== undefined && Math.abs(Date.now() - event.at) > config.webhookToleranceSeconds * 1000;
      if (stale && !source.currentStatus) return refuse('signature stale', event.id);
      const log = { eventId: event.id, type: event.type, ...(stale ? { stale: true } : {}) };
      try {
        if (!(await store.rememberEvent(source.provider, event.id, EVENT_MEMORY_MS))) {
          logger.info({ ...log, outcome: 'replay' }, 'webhook replay ignored');
          return { status: 200, body: { received: true, duplicate: true } };
        }
        const target = await store.findByUpstream(source.provider, event.upstreamId);
        if (!target) {
          // The provider may announce a payment before its creation call has answered and the payment is stored:
          // answered 409 so that the provider retries, and the event id forgotten so that the retry is applied.
          await store.forgetEvent(source.provider, event.id);
          logger.info({ ...log, outcome: 'unknown payment' }, 'webhook for an unknown payment: provider to retry');
          return { status: 409, body: { error: 'unknown payment' } };
        }
        const payment = await store.get(target.tenant, target.id);
        if (!payment) {
          // The provider-id map is written before the record: a save that failed between them is a payment not stored.
          await store.forgetEvent(source.provider, event.id);
          logger.info({ ...log, outcome: 'unknown payment' }, 'webhook for an unknown payment: provider to retry');
          return { status: 409, body: { error: 'unknown payment' } };
        }
        if (stale && isTerminal(payment.status)) {
          logger.info({ ...log, paymentId: payment.id, outcome: 'already final' }, 'webhook accepted, nothing to apply');
          return { status: 200, body: { received: true } };
        }
        const status = stale && source.currentStatus ? await source.currentStatus(target.tenant, event.upstreamId) : event.status;
        if (!status) {
          logger.info({ ...log, outcome: 'no status' }, 'webhook accepted, nothing to apply');
          return { status: 200, body: { received: true } };
        }
        const applied = await applyStatus(
          services,
          payment,
          status,
          stale ? `provider status (reconciled after ${event.type})` : event.type,
        );
        logger.info({ ...log, paymentId: payment.id, status, outcome: applied ? 'applied' : 'not forward' }, 'webhook accepted');
        return { status: 200, body: { received: true } };
      } catch (error) {
        await store.forgetEvent(source.provider, event.id).catch(() => undefined);
        logger.error({ ...log, error: error instanceof Error ? error.name : 'unknown' }, 'webhook not applied: store or provider failure');
        return { status: 500, body: { error: 'retry later' } };
      }
    },
  };
}

export function webhookRoutes(services: PaymentsServices): RawRoute[] {
  const { config } = services;
  return [
    route(services, processorWebhook(config.processorWebhookSecret, config.webhookToleranceSeconds)),
    route(services, transfersWebhook(config.transfersWebhookSecret, services.transfers)),
  ];
}
