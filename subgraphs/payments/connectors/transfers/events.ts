// The transfer provider's webhook event (Dwolla-like: an id, the transfer's id as resourceId, a topic and the time it
// happened), parsed with zod into what the webhook pipeline applies. The time is inside the signed body: the
// provider signs an event once and its retries resend it, so the pipeline judges its age from this `at`.
import { z } from 'zod';
import type { ParsedEvent } from '../../webhooks/source.js';
import { fromTransfersTopic } from './statuses.js';

const transfersEvent = z.object({
  id: z.string().min(1).max(255),
  resourceId: z.string().min(1).max(255),
  topic: z.string().max(100),
  timestamp: z.string().datetime({ offset: true }),
});

/** Undefined when the payload is not a transfer event. */
export function parseTransfersEvent(json: unknown): ParsedEvent | undefined {
  const parsed = transfersEvent.safeParse(json);
  if (!parsed.success) return undefined;
  const { id, topic, resourceId, timestamp } = parsed.data;
  return { id, type: topic, upstreamId: resourceId, status: fromTransfersTopic(topic), at: Date.parse(timestamp) };
}
