// The audit trail of bureau pulls: one structured line per pull, whatever its outcome, saying who pulled (principal),
// for whom (customer id), in which tenant, for which permissible purpose, with which inquiry type, at which bureau, and
// whether it succeeded. Never the report's contents or personal data.
import type { Principal } from '../../lib/auth/principal.js';
import type { Logger } from '../../lib/logging/logger.js';
import type { InquiryType, PermissiblePurpose } from './domain.js';

export interface PullAudit {
  readonly principal: Principal;
  readonly customerId: string;
  readonly purpose: PermissiblePurpose;
  readonly inquiry: InquiryType;
  readonly bureau: string;
  /** What asked for it: the score or a full report. */
  readonly product: 'score' | 'report';
  readonly outcome: 'ok' | string;
}

export const AUDIT_MESSAGE = 'credit pull';

export function auditPull(logger: Logger, entry: PullAudit): void {
  logger.info(
    {
      audit: 'credit-pull',
      sub: entry.principal.sub,
      tenant: entry.principal.tenant,
      customerId: entry.customerId,
      purpose: entry.purpose,
      inquiry: entry.inquiry,
      bureau: entry.bureau,
      product: entry.product,
      outcome: entry.outcome,
    },
    AUDIT_MESSAGE,
  );
}
