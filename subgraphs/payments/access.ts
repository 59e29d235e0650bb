// Row-level access to payments. Payments are stored per tenant, so another tenant's payment is never found. A customer
// token reads and cancels only payments from its own accounts; staff read every payment of their tenant but move
// money (initiate, cancel) only on the organisation's accounts. Refusals are NOT_FOUND, as for an id that does not exist.
import type { Principal } from '../../lib/auth/principal.js';
import { canReadOwner } from '../../lib/auth/rowAccess.js';
import { ORGANISATION_OWNER } from '../../lib/domain/accountId.js';
import { notFound } from '../../lib/errors/index.js';
import type { Payment } from './domain.js';

/** Whose accounts this principal may debit: its own customer's, or (staff) the organisation's. */
export function debitableOwner(principal: Principal): string {
  return principal.customerId ?? ORGANISATION_OWNER;
}

export function assertCanRead(principal: Principal, payment: Payment | undefined): Payment {
  if (!payment || payment.tenant !== principal.tenant || !canReadOwner(principal, payment.ownerId)) throw notFound('Payment');
  return payment;
}

export function assertCanMove(principal: Principal, payment: Payment | undefined): Payment {
  const readable = assertCanRead(principal, payment);
  if (readable.ownerId !== debitableOwner(principal)) throw notFound('Payment');
  return readable;
}
