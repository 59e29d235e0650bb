// Every bureau pull goes through here, so that every one is audited, whatever its outcome.
import { isFinGraphError } from '../../../lib/errors/index.js';
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
    const file = await services.bureau.pull({ tenant: principal.tenant, customerId, purpose, inquiry, model: services.scoreModel });
    audit('ok');
    return file;
  } catch (error) {
    audit(isFinGraphError(error) ? error.code : 'ERROR');
    throw error;
  }
}
