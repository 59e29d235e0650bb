// The bank-transfer provider (a Dwolla-like API), all in this folder: its client, its webhook event schema, its
// signature check and its status words. transfersWebhook is what the provider-neutral webhook pipeline
// (../../webhooks/index.ts) is given.
import { singleHeader, type WebhookSource } from '../../webhooks/source.js';
import type { TransfersConnector } from './client.js';
import { parseTransfersEvent } from './events.js';
import { SIGNATURE_HEADER, verifyBodySignature } from './signature.js';

export { type FundingSource, type TransferChannel, type TransferPayment, TransfersConnector } from './client.js';
export { parseTransfersEvent } from './events.js';
export { verifyBodySignature } from './signature.js';
export { fromTransfers, fromTransfersTopic } from './statuses.js';

/** An event older than the tolerance is reconciled: the transfer is read again through `connector`. */
export function transfersWebhook(secret: string, connector: TransfersConnector): WebhookSource {
  return {
    provider: 'transfers',
    verify: (headers, body) => verifyBodySignature(secret, singleHeader(headers, SIGNATURE_HEADER), body),
    parse: parseTransfersEvent,
    currentStatus: async (tenant, upstreamId) => (await connector.retrieve(tenant, upstreamId)).status,
  };
}
