// The processor's webhook event (a Stripe Event whose data.object is the PaymentIntent), parsed with zod into what
// the webhook pipeline applies. An event about another kind of object is well-signed but not followed: IGNORED.
import { z } from 'zod';
import { IGNORED, type ParsedEvent } from '../../webhooks/source.js';
import { fromProcessor } from './statuses.js';

const stripeEvent = z.object({
  id: z.string().min(1).max(255),
  type: z.string().max(100),
  data: z.object({ object: z.object({ id: z.string().min(1).max(255), object: z.string(), status: z.string() }) }),
});

/** Undefined when the payload is not a Stripe event; Stripe's signed time is in the header, not the event. */
export function parseProcessorEvent(json: unknown): ParsedEvent | typeof IGNORED | undefined {
  const parsed = stripeEvent.safeParse(json);
  if (!parsed.success) return undefined;
  if (parsed.data.data.object.object !== 'payment_intent') return IGNORED;
  const intent = parsed.data.data.object;
  return {
    id: parsed.data.id,
    type: parsed.data.type,
    upstreamId: intent.id,
    status: fromProcessor(intent.status, parsed.data.type),
    at: undefined,
  };
}
