// The card processor (Stripe's PaymentIntents wire format), all in this folder: its client, its webhook event
// schema, its signature check and its status words. processorWebhook is what the provider-neutral webhook pipeline
// (../../webhooks/index.ts) is given.
import { singleHeader, type WebhookSource } from '../../webhooks/source.js';
import { parseProcessorEvent } from './events.js';
import { SIGNATURE_HEADER, verifyStripeSignature } from './signature.js';

export { ProcessorConnector, type ProcessorPayment } from './client.js';
export { parseProcessorEvent } from './events.js';
export { verifyStripeSignature } from './signature.js';
export { fromProcessor } from './statuses.js';

export function processorWebhook(secret: string, toleranceSeconds: number): WebhookSource {
  return {
    provider: 'processor',
    verify: (headers, body) => verifyStripeSignature(secret, singleHeader(headers, SIGNATURE_HEADER), body, toleranceSeconds),
    parse: parseProcessorEvent,
  };
}
