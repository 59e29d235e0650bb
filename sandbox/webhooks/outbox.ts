// Outbound webhooks, as the real providers send them: POSTed to the endpoint the tenant registered, retried with
// backoff until the endpoint answers 2xx or the attempts run out. Each provider signs its own payloads; the outbox only
// carries them. Endpoints are set at start (SANDBOX_WEBHOOK_TARGETS) or through /_control/webhooks/<provider>.
import type { Logger } from '../../lib/logging/logger.js';
import type { ProviderId } from '../http/types.js';

export interface WebhookDelivery {
  readonly provider: ProviderId;
  /** The provider's event id, for the delivery log. */
  readonly eventId: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Not sent before this settles: how an event held back waits for a later one to be delivered first. */
  readonly after?: Promise<unknown>;
}

export interface DeliveryRecord {
  readonly provider: ProviderId;
  readonly eventId: string;
  readonly attempts: number;
  /** The last HTTP status the endpoint answered, or 0 when it could not be reached. */
  readonly status: number;
  readonly delivered: boolean;
}

export interface WebhookOutbox {
  target(provider: ProviderId): string | undefined;
  setTarget(provider: ProviderId, url: string | undefined): void;
  /**
   * Queues a delivery and returns at once, with a promise that settles when it has finished (delivered or given up).
   * Without a target for the provider the event is dropped (and recorded).
   */
  send(delivery: WebhookDelivery): Promise<void>;
  /** Resolves when every queued delivery has finished (delivered or given up). */
  idle(): Promise<void>;
  deliveries(): readonly DeliveryRecord[];
  reset(): void;
}

export interface OutboxOptions {
  readonly logger: Logger;
  readonly targets?: Readonly<Partial<Record<ProviderId, string>>>;
  /** Attempts per delivery (first try included); default 4. */
  readonly attempts?: number;
  /** First retry delay in ms, doubled each time; default 100. */
  readonly backoffMs?: number;
}

export function createWebhookOutbox(options: OutboxOptions): WebhookOutbox {
  const targets = new Map(Object.entries(options.targets ?? {}) as Array<[ProviderId, string]>);
  const inFlight = new Set<Promise<void>>();
  let records: DeliveryRecord[] = [];
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 100;

  async function deliver(delivery: WebhookDelivery, url: string): Promise<void> {
    // Queued (so idle() waits for it) but held until what it must follow has finished.
    if (delivery.after) await delivery.after.catch(() => undefined);
    let status = 0;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...delivery.headers },
          body: delivery.body,
          signal: AbortSignal.timeout(5_000),
        });
        status = response.status;
        await response.arrayBuffer();
        if (response.ok) {
          records.push({ provider: delivery.provider, eventId: delivery.eventId, attempts: attempt, status, delivered: true });
          return;
        }
      } catch {
        status = 0;
      }
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
    }
    options.logger.warn({ provider: delivery.provider, eventId: delivery.eventId, status }, 'webhook not delivered');
    records.push({ provider: delivery.provider, eventId: delivery.eventId, attempts, status, delivered: false });
  }

  return {
    target: (provider) => targets.get(provider),
    setTarget(provider, url) {
      if (url === undefined) targets.delete(provider);
      else targets.set(provider, url);
    },
    send(delivery) {
      const url = targets.get(delivery.provider);
      if (url === undefined) {
        records.push({ provider: delivery.provider, eventId: delivery.eventId, attempts: 0, status: 0, delivered: false });
        return Promise.resolve();
      }
      const running = deliver(delivery, url).finally(() => inFlight.delete(running));
      inFlight.add(running);
      return running;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    deliveries: () => records,
    // Endpoints are the tenant's registration, not a test switch: a reset keeps them and forgets the delivery log.
    reset() {
      records = [];
    },
  };
}
