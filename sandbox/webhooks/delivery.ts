// Webhook delivery for the simulated payment providers (processor and transfers), with what real providers do now
// and then: deliver an event twice, or late enough that a later event of the same payment overtakes it. Both happen
// by themselves at a small rate (duplicateRate, reorderRate; drawn with Math.random, as the latency is), and tests
// can force them: extra copies of every event, events held back and released in reverse order. A log keeps every
// event emitted (so a test can replay or re-sign one). Each provider signs its own payloads; signing happens when an
// event leaves, as the real ones sign at each delivery attempt.
import type { ProviderId } from '../http/types.js';
import type { WebhookOutbox } from './outbox.js';

export interface DeliveryRates {
  /** Share of events (0..1) delivered one extra time. */
  duplicateRate: number;
  /** Share of events (0..1) held back until the next event of the same payment has been delivered. */
  reorderRate: number;
}

export interface DeliverySwitches extends DeliveryRates {
  /** Extra deliveries of every event (0: each once). */
  duplicates: number;
  /** Keep events back until `release` (for out-of-order delivery). */
  hold: boolean;
}

export interface EmittedEvent {
  readonly id: string;
  readonly type: string;
  readonly body: string;
  /** The payment the event is about: only events of one payment overtake each other. */
  readonly subject: string;
}

export interface EventDelivery {
  emit(event: EmittedEvent): void;
  /** Sends every held event, in the order emitted or reversed. */
  release(order: 'emitted' | 'reverse'): number;
  configure(patch: Partial<DeliverySwitches>): DeliverySwitches;
  /** The switches and rates in force. */
  settings(): Readonly<DeliverySwitches>;
  /** Every event emitted since the last reset, oldest first. */
  log(): readonly EmittedEvent[];
  /** Switches back to `defaults`, held and delayed events let go, the log emptied. */
  reset(): void;
}

export interface EventDeliveryOptions {
  readonly provider: ProviderId;
  readonly outbox: WebhookOutbox;
  readonly signedHeaders: (body: string) => Record<string, string>;
  /** The rates in force until a test changes them, and again after a reset. */
  readonly defaults: Readonly<DeliveryRates>;
  /** How long a delayed event waits for a later one of its payment before it goes anyway; default 1000. */
  readonly longestDelayMillis?: number;
  /** Draws for the rates; default Math.random. */
  readonly random?: () => number;
}

interface Delayed {
  /** Lets the delayed event go once `first` (the event overtaking it) has finished. */
  readonly release: (first?: Promise<unknown>) => void;
  readonly timer: NodeJS.Timeout;
}

export function createEventDelivery(options: EventDeliveryOptions): EventDelivery {
  const { provider, outbox, signedHeaders } = options;
  const random = options.random ?? Math.random;
  const longestDelayMillis = options.longestDelayMillis ?? 1_000;
  const initial = (): DeliverySwitches => ({ duplicates: 0, hold: false, ...options.defaults });
  let switches = initial();
  let held: EmittedEvent[] = [];
  let emitted: EmittedEvent[] = [];
  // At most one delayed event per payment, waiting for the next event of that payment to go first.
  const delayed = new Map<string, Delayed>();
  const drawn = (rate: number) => rate > 0 && random() < rate;

  const deliver = (event: EmittedEvent, after?: Promise<unknown>): Promise<unknown> => {
    const copies = 1 + switches.duplicates + (drawn(switches.duplicateRate) ? 1 : 0);
    return Promise.all(
      Array.from({ length: copies }, () =>
        outbox.send({
          provider,
          eventId: event.id,
          body: event.body,
          headers: signedHeaders(event.body),
          ...(after ? { after } : {}),
        }),
      ),
    );
  };

  const send = (event: EmittedEvent) => {
    const waiting = delayed.get(event.subject);
    if (waiting) {
      // This event overtakes the one held back for its payment, which follows once this one has been delivered.
      delayed.delete(event.subject);
      clearTimeout(waiting.timer);
      waiting.release(deliver(event));
      return;
    }
    if (!drawn(switches.reorderRate)) {
      void deliver(event);
      return;
    }
    let release!: (first?: Promise<unknown>) => void;
    const gate = new Promise<unknown>((resolve) => {
      release = resolve;
    });
    // Queued now, so that outbox.idle() waits for it; if no later event comes, it goes after longestDelayMillis.
    void deliver(event, gate);
    const timer = setTimeout(() => {
      delayed.delete(event.subject);
      release();
    }, longestDelayMillis);
    timer.unref();
    delayed.set(event.subject, { release, timer });
  };

  return {
    emit(event) {
      emitted.push(event);
      if (switches.hold) held.push(event);
      else send(event);
    },
    release(order) {
      const events = order === 'reverse' ? [...held].reverse() : held;
      held = [];
      events.forEach(send);
      return events.length;
    },
    configure(patch) {
      switches = { ...switches, ...patch };
      return switches;
    },
    settings: () => switches,
    log: () => emitted,
    reset() {
      for (const waiting of delayed.values()) {
        clearTimeout(waiting.timer);
        waiting.release();
      }
      delayed.clear();
      switches = initial();
      held = [];
      emitted = [];
    },
  };
}
