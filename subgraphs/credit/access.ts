// Row-level access in the credit subgraph. A customer token reads only its own customer; staff read the customers of
// their tenant (existence is checked in the tenant's directory before any pull). Refusals are NOT_FOUND, as for an id
// that does not exist. Full reports are for staff: a customer token is refused one even for itself.
import type { Principal } from '../../lib/auth/principal.js';
import { forbidden } from '../../lib/errors/index.js';

export function assertStaff(principal: Principal): void {
  if (principal.customerId !== undefined) throw forbidden('Full credit reports are for staff', { reason: 'STAFF_ONLY' });
}

/** Consents are the customer's own act: only a customer token grants or revokes them. */
export function customerOf(principal: Principal): string {
  if (principal.customerId === undefined) throw forbidden('Only the customer can give or withdraw consent', { reason: 'CUSTOMER_ONLY' });
  return principal.customerId;
}
