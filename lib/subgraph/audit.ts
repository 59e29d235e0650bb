// One audit record per regulated upstream call a subgraph makes (a bureau pull, a payment or its cancellation, a
// consent, a KYC or personal-data read): who (the internal token's principal), what (`action`), on what (`resource`,
// an id only), when, and how it ended. Before the call, a sink with no room refuses it (AUDIT_UNAVAILABLE): the call
// is not made unaudited.
import type { AuditSink } from '../audit/sink.js';
import type { Principal } from '../auth/principal.js';
import { auditUnavailable, ErrorCode, isFinGraphError } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';

/** The regulated upstream actions, named once so that the trail's `action` values stay a known list. */
export const UpstreamAction = {
  CreditPull: 'credit.pull',
  CreditConsentGrant: 'credit.consent.grant',
  CreditConsentRevoke: 'credit.consent.revoke',
  PaymentCreate: 'payment.create',
  PaymentCancel: 'payment.cancel',
  KycRead: 'kyc.read',
  CustomerRead: 'customer.read',
} as const;
export type UpstreamAction = (typeof UpstreamAction)[keyof typeof UpstreamAction];

export interface UpstreamCall<T> {
  readonly action: UpstreamAction;
  /** Whether the call reads or changes personal data. */
  readonly personalData: boolean;
  /** The affected resource by id (`customer:<id>`, `payment:<id>`), as known before the call. */
  readonly resource: string | null;
  /** The resource once the call answered, when only its answer names it (a new payment's id). */
  readonly resourceOf?: (result: T) => string | null;
}

export interface UpstreamAuditor {
  /** Refuses at once (AUDIT_UNAVAILABLE) when the sink has no room; otherwise runs `call` and records how it ended. */
  record<T>(call: UpstreamCall<T>, run: () => Promise<T>): Promise<T>;
}

/** What identifies the request the calls belong to: the gateway's request id, and its trace id when known. */
export interface AuditedRequest {
  readonly principal: Principal;
  readonly requestId: string;
  readonly traceId: string | undefined;
}

const traceIdPattern = /^[0-9a-f]{32}$/;

export { resourceId } from '../audit/resource.js';

export function createUpstreamAuditor(
  sink: AuditSink | undefined,
  request: AuditedRequest,
  logger: Logger,
  now: () => Date = () => new Date(),
): UpstreamAuditor {
  return {
    async record<T>(call: UpstreamCall<T>, run: () => Promise<T>): Promise<T> {
      // A subgraph that makes regulated calls opens a sink at start; one without (a wiring mistake) fails closed.
      // The record's place is held before the call, so a call made is a call recorded, however full the queue gets meanwhile.
      const reservation = sink?.reserve();
      if (!reservation) throw auditUnavailable();
      const at = now().toISOString();
      const write = (outcome: 'success' | 'failure', failureCode: string | null, resource: string | null) => {
        reservation
          .append({
            type: 'upstream.call',
            action: call.action,
            personalData: call.personalData,
            at,
            outcome,
            failureCode,
            sub: request.principal.sub,
            tenant: request.principal.tenant,
            // The subgraph's caller is the gateway: the client's address and agent are in the gateway's record.
            clientIp: null,
            userAgent: null,
            resource,
            otherResources: [],
            operationName: null,
            documentHash: null,
            fieldsServed: [],
            fieldsRefused: [],
            requestId: request.requestId,
            traceId: request.traceId && traceIdPattern.test(request.traceId) ? request.traceId : null,
          })
          .catch((error: unknown) =>
            logger.error(
              { requestId: request.requestId, action: call.action, err: error instanceof Error ? error.message : String(error) },
              'audit record not written',
            ),
          );
      };
      let result: T;
      try {
        result = await run();
      } catch (error) {
        write('failure', isFinGraphError(error) ? error.code : ErrorCode.INTERNAL_SERVER_ERROR, call.resource);
        throw error;
      }
      write('success', null, call.resourceOf?.(result) ?? call.resource);
      return result;
    },
  };
}
