// What the simulated payment providers (processor, transfers) run the same way, whatever their wire format: settlement
// after a delay (or by hand in tests), signed webhook delivery with a rotatable secret, now and then a duplicate or a
// reordered delivery, "accept, then answer too late", and the control routes tests use on both (`/settlement`,
// `/webhooks`, `/webhooks/release`, `/events`, `/webhook-secret`, `/stall`). Each provider keeps its own payloads, its own signature scheme and its own settle
// routes.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { LatencyMode } from '../behaviour.js';
import { json } from '../http/io.js';
import type { ProviderControlRoute, ProviderId, SandboxResponse } from '../http/types.js';
import { createEventDelivery, type DeliveryRates, type EmittedEvent } from '../webhooks/delivery.js';
import type { WebhookOutbox } from '../webhooks/outbox.js';

export interface PaymentRailOptions {
  readonly provider: ProviderId;
  readonly outbox: WebhookOutbox;
  /** The sandbox's latency mode: "realistic" also brings the occasional duplicate or reordered webhook. */
  readonly latency: LatencyMode;
  /** The development signing secret, restored on reset. */
  readonly defaultSecret: string;
  /** Delay before a payment settles by itself, restored on reset. */
  readonly defaultSettleAfterMs: number;
  /** The provider's signature headers for a body under the current secret, computed at each delivery attempt. */
  readonly sign: (secret: string, body: string) => Record<string, string>;
}

export interface PaymentRail {
  /** Sends an event to the provider's webhook target (or holds, repeats or delays it, as the switches and rates say). */
  emit(event: EmittedEvent): void;
  /** Settles `id` by `settle` after the configured delay; nothing when tests settle by hand (settleAfterMs null). */
  schedule(id: string, settle: () => void): void;
  /** Stops the pending settlement of `id` (settled by hand, or cancelled). */
  unschedule(id: string): void;
  /**
   * Called once a creation has been made (and its idempotency key stored): holds the answer past the client's timeout
   * when `/stall` asked for it, as an upstream timeout after acceptance looks.
   */
  answerLateIfStalled(): Promise<void>;
  /** The control routes both providers share. */
  readonly control: readonly ProviderControlRoute[];
  /** Timers stopped, switches, secret and event log back to their defaults. */
  reset(): void;
}

/**
 * Webhook rates in force by default (and after a reset): a realistic sandbox (`npm start`) duplicates or reorders
 * about one event in twenty, as real providers do now and then; with latency "none" (tests) delivery is exact.
 */
export function defaultWebhookRates(latency: LatencyMode): Readonly<DeliveryRates> {
  return latency === 'realistic' ? { duplicateRate: 0.05, reorderRate: 0.05 } : { duplicateRate: 0, reorderRate: 0 };
}

export const controlError = (status: number, message: string): SandboxResponse => json(status, { error: { message } });

/** A control body validated by `schema` ("" counts as {}), or undefined when it is not JSON or does not fit. */
export function parseControlBody<T>(body: string, schema: z.ZodType<T>): T | undefined {
  try {
    const result = schema.safeParse(body.trim() === '' ? {} : JSON.parse(body));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

export function createPaymentRail(options: PaymentRailOptions): PaymentRail {
  const timers = new Map<string, NodeJS.Timeout>();
  let settleAfterMs: number | null = options.defaultSettleAfterMs;
  let secret = options.defaultSecret;
  let stall = { count: 0, ms: 0 };
  const delivery = createEventDelivery({
    provider: options.provider,
    outbox: options.outbox,
    signedHeaders: (body) => options.sign(secret, body),
    defaults: defaultWebhookRates(options.latency),
  });

  const unschedule = (id: string) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
  };

  const control: ProviderControlRoute[] = [
    {
      // { settleAfterMs: number | null }: null stops automatic settlement (tests settle by hand).
      method: 'POST',
      template: '/settlement',
      handle(_params, body) {
        const patch = parseControlBody(body, z.strictObject({ settleAfterMs: z.number().int().min(0).max(3_600_000).nullable() }));
        if (!patch) return controlError(400, 'Expected { settleAfterMs: integer ms | null }');
        settleAfterMs = patch.settleAfterMs;
        return json(200, { settleAfterMs });
      },
    },
    { method: 'GET', template: '/webhooks', handle: () => json(200, delivery.settings()) },
    {
      // duplicates: extra copies of every event; hold: keep events for /webhooks/release; duplicateRate and
      // reorderRate: the share of events delivered twice, or held until a later event of the same payment has gone.
      method: 'POST',
      template: '/webhooks',
      handle(_params, body) {
        const patch = parseControlBody(
          body,
          z.strictObject({
            duplicates: z.number().int().min(0).max(5).optional(),
            hold: z.boolean().optional(),
            duplicateRate: z.number().min(0).max(1).optional(),
            reorderRate: z.number().min(0).max(1).optional(),
          }),
        );
        if (!patch) return controlError(400, 'Expected { duplicates?: 0..5, hold?: boolean, duplicateRate?: 0..1, reorderRate?: 0..1 }');
        return json(
          200,
          delivery.configure({
            ...(patch.duplicates === undefined ? {} : { duplicates: patch.duplicates }),
            ...(patch.hold === undefined ? {} : { hold: patch.hold }),
            ...(patch.duplicateRate === undefined ? {} : { duplicateRate: patch.duplicateRate }),
            ...(patch.reorderRate === undefined ? {} : { reorderRate: patch.reorderRate }),
          }),
        );
      },
    },
    {
      method: 'POST',
      template: '/webhooks/release',
      handle(_params, body) {
        const patch = parseControlBody(body, z.strictObject({ order: z.enum(['emitted', 'reverse']).optional() }));
        if (!patch) return controlError(400, 'Expected { order?: "emitted" | "reverse" }');
        return json(200, { released: delivery.release(patch.order ?? 'emitted') });
      },
    },
    { method: 'GET', template: '/events', handle: () => json(200, { events: delivery.log() }) },
    {
      // The next `count` creations are made (and their idempotency keys stored) but answered only after `ms`.
      method: 'POST',
      template: '/stall',
      handle(_params, body) {
        const patch = parseControlBody(
          body,
          z.strictObject({ count: z.number().int().min(0).max(100), ms: z.number().int().min(0).max(60_000) }),
        );
        if (!patch) return controlError(400, 'Expected { count, ms }');
        stall = patch;
        return json(200, stall);
      },
    },
    {
      method: 'POST',
      template: '/webhook-secret',
      handle(_params, body) {
        const patch = parseControlBody(body, z.strictObject({ secret: z.string().min(16).max(200) }));
        if (!patch) return controlError(400, 'Expected { secret: string of 16..200 }');
        secret = patch.secret;
        return json(200, { status: 'set' });
      },
    },
  ];

  return {
    emit: (event) => delivery.emit(event),
    schedule(id, settle) {
      if (settleAfterMs === null) return;
      const timer = setTimeout(settle, settleAfterMs);
      timer.unref();
      timers.set(id, timer);
    },
    unschedule,
    async answerLateIfStalled() {
      if (stall.count === 0) return;
      stall = { ...stall, count: stall.count - 1 };
      await sleep(stall.ms);
    },
    control,
    reset() {
      stall = { count: 0, ms: 0 };
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      settleAfterMs = options.defaultSettleAfterMs;
      secret = options.defaultSecret;
      delivery.reset();
    },
  };
}
