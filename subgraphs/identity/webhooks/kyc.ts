// POST /webhooks/kyc: the KYC provider's check.completed events, through a provider-neutral pipeline; the provider's
// signature check and event schema are in connectors/onfido/. The signature is verified over the exact bytes
// received, in constant time, before anything is parsed; a forged or missing one gets 400 and changes nothing. A
// valid event only drops what is cached about the check's applicant, so the next read asks the provider: the event is
// a hint, the provider's API stays the truth. That makes replays harmless (a replay drops the cache again) and no
// event store is needed. The payload names no tenant, so the check is looked up with each tenant's key: only its
// owner's key finds it.
import type { Cache } from '../../../lib/cache/index.js';
import type { Logger } from '../../../lib/logging/logger.js';
import type { RawRoute } from '../../../lib/server/graphqlHttp.js';
import { isSignedDelivery, type KycEvent, type OnfidoConnector, parseKycEvent } from '../connectors/onfido/index.js';
import { applicantTag } from '../loaders.js';

export interface KycWebhookOptions {
  readonly token: string;
  readonly tenants: readonly string[];
  readonly kyc: OnfidoConnector;
  readonly cache: Cache;
  readonly logger: Logger;
}

export function kycWebhookRoute(options: KycWebhookOptions): RawRoute {
  const logger = options.logger.child({ component: 'kyc-webhook' });
  return {
    method: 'POST',
    path: '/webhooks/kyc',
    async handle(request, facts) {
      if (!isSignedDelivery(request.headers, request.body, options.token)) {
        logger.warn({ requestId: facts.requestId }, 'kyc webhook refused: bad signature');
        return { status: 400, body: { error: 'invalid signature' } };
      }
      let parsed: KycEvent | undefined;
      try {
        parsed = parseKycEvent(JSON.parse(request.body.toString('utf8')));
      } catch {
        parsed = undefined;
      }
      if (!parsed) {
        logger.warn({ requestId: facts.requestId }, 'kyc webhook refused: unexpected payload');
        return { status: 400, body: { error: 'invalid payload' } };
      }
      if (parsed.kind !== 'check.completed') return { status: 200, body: { received: true } };
      const { action, checkId } = parsed;
      // An upstream failure here answers 5xx (by throwing), so the provider retries the delivery later.
      for (const tenant of options.tenants) {
        const check = await options.kyc.check(tenant, checkId);
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
