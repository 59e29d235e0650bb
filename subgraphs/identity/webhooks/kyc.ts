// POST /webhooks/kyc: the KYC provider's check.completed events. The X-SHA2-Signature header (hex HMAC-SHA256 of the
// raw body with the webhook token) is verified over the exact bytes received, in constant time, before anything is
// parsed; a forged or missing one gets 400 and changes nothing. A valid event only drops what is cached about the
// check's applicant, so the next read asks the provider: the event is a hint, the provider's API stays the truth.
// That makes replays harmless (a replay drops the cache again) and no event store is needed. The payload names no
// tenant, so the check is looked up with each tenant's key: only its owner's key finds it.
import { isHmacSha256Hex } from '../../../lib/auth/hmacSignature.js';
import { z } from 'zod';
import type { Cache } from '../../../lib/cache/index.js';
import type { Logger } from '../../../lib/logging/logger.js';
import type { RawRoute } from '../../../lib/server/graphqlHttp.js';
import type { OnfidoConnector } from '../connectors/onfido.js';
import { applicantTag } from '../loaders.js';

const event = z.object({
  payload: z.object({
    resource_type: z.string(),
    action: z.string(),
    object: z.object({ id: z.string().min(1).max(100), status: z.string().optional() }),
  }),
});

export interface KycWebhookOptions {
  readonly token: string;
  readonly tenants: readonly string[];
  readonly kyc: OnfidoConnector;
  readonly cache: Cache;
  readonly logger: Logger;
}

/** Whether `signature` is the hex HMAC-SHA256 of `body` under `token`, compared in constant time. */
export function isValidSignature(body: Buffer, signature: string | undefined, token: string): boolean {
  return isHmacSha256Hex(token, [body], signature);
}

export function kycWebhookRoute(options: KycWebhookOptions): RawRoute {
  const logger = options.logger.child({ component: 'kyc-webhook' });
  return {
    method: 'POST',
    path: '/webhooks/kyc',
    async handle(request, facts) {
      const header = request.headers['x-sha2-signature'];
      if (!isValidSignature(request.body, typeof header === 'string' ? header : undefined, options.token)) {
        logger.warn({ requestId: facts.requestId }, 'kyc webhook refused: bad signature');
        return { status: 400, body: { error: 'invalid signature' } };
      }
      let parsed: z.infer<typeof event>;
      try {
        parsed = event.parse(JSON.parse(request.body.toString('utf8')));
      } catch {
        logger.warn({ requestId: facts.requestId }, 'kyc webhook refused: unexpected payload');
        return { status: 400, body: { error: 'invalid payload' } };
      }
      const { resource_type: resourceType, action, object } = parsed.payload;
      if (resourceType !== 'check' || action !== 'check.completed') return { status: 200, body: { received: true } };
      // An upstream failure here answers 5xx (by throwing), so the provider retries the delivery later.
      for (const tenant of options.tenants) {
        const check = await options.kyc.check(tenant, object.id);
        if (!check) continue;
        await options.cache.invalidate({ tenant }, [applicantTag(check.applicant_id)]);
        logger.info({ requestId: facts.requestId, tenant, action, status: check.status }, 'kyc check completed: cached status dropped');
        return { status: 200, body: { received: true } };
      }
      logger.warn({ requestId: facts.requestId, action }, 'kyc webhook for a check no tenant holds');
      return { status: 200, body: { received: true } };
    },
  };
}
