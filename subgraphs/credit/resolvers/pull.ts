// Every bureau pull goes through here, so that every one is audited, whatever its outcome: a record in the audit
// trail (refused before the pull when the trail has no room), and the log line on-call reads.
import { isFinGraphError } from '../../../lib/errors/index.js';
import { resourceId, UpstreamAction } from '../../../lib/subgraph/audit.js';
import { auditPull } from '../audit.js';
import type { CreditContext } from '../context.js';
import type { CreditFile, InquiryType, PermissiblePurpose } from '../domain.js';

export async function pullFromBureau(
  context: CreditContext,
  customerId: string,
  purpose: PermissiblePurpose,
  inquiry: InquiryType,
  product: 'score' | 'report',
): Promise<CreditFile> {
  const { services, principal, logger } = context;
  const audit = (outcome: string) =>
    auditPull(logger, {
      principal,
      customerId,
      purpose,
      inquiry,
      bureau: services.bureau.bureau,
      product,
      outcome,
    });
  try {
    const file = await context.audit.record(
      { action: UpstreamAction.CreditPull, personalData: true, resource: resourceId('customer', customerId) },
      () => services.bureau.pull({ tenant: principal.tenant, customerId, purpose, inquiry, model: services.scoreModel }),
    );
    audit('ok');
    return file;
  } catch (error) {
    audit(isFinGraphError(error) ? error.code : 'ERROR');
    throw error;
  }
}
