// Webhook delivery for the simulated payment providers (processor and transfers), with the switches a test needs to
// reproduce what real providers do now and then: deliver an event twice or more, hold events back and release them
// in reverse order, and a log of every event emitted (so a test can replay or re-sign one). Each provider signs its
// own payloads; signing happens when an event leaves, as the real ones sign at each delivery attempt.
import type { ProviderId } from '../http/types.js';
import type { WebhookOutbox } from './outbox.js';

export interface DeliverySwitches {
  /** Extra deliveries of every event (0: each once). */
  duplicates: number;
  /** Keep events back until `release` (for out-of-order delivery). */
  hold: boolean;
}

export interface EmittedEvent {
  readonly id: string;
  readonly type: string;
  readonly body: string;
}

export interface EventDelivery {
  emit(event: EmittedEvent): void;
  /** Sends every held event, in the order emitted or reversed. */
  release(order: 'emitted' | 'reverse'): number;
  configure(patch: Partial<DeliverySwitches>): DeliverySwitches;
  /** Every event emitted since the last reset, oldest first. */
  log(): readonly EmittedEvent[];
  reset(): void;
}

export function createEventDelivery(
  provider: ProviderId,
  outbox: WebhookOutbox,
  signedHeaders: (body: string) => Record<string, string>,
): EventDelivery {
  let switches: DeliverySwitches = { duplicates: 0, hold: false };
  let held: EmittedEvent[] = [];
  let emitted: EmittedEvent[] = [];
  const send = (event: EmittedEvent) => {
    for (let copy = 0; copy <= switches.duplicates; copy += 1) {
      outbox.send({ provider, eventId: event.id, body: event.body, headers: signedHeaders(event.body) });
    }
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
    log: () => emitted,
    reset() {
      switches = { duplicates: 0, hold: false };
      held = [];
      emitted = [];
    },
  };
}
