// Row-level access within the accounts subgraph: which owners' data a principal may read. A customer token reads only
// its own customer; staff read any customer of their tenant and the organisation. Refusals are NOT_FOUND, as for an id
// that does not exist, so that existence never leaks.
import { notFound } from '../../lib/errors/index.js';
import type { Principal } from '../../lib/auth/principal.js';
import { ORGANISATION_OWNER, type OwnerId } from './domain.js';

export function canReadOwner(principal: Principal, ownerId: OwnerId): boolean {
  // The organisation is never a customer's, whatever customer_id a token carries.
  if (principal.customerId !== undefined) return ownerId !== ORGANISATION_OWNER && ownerId === principal.customerId;
  return true;
}

export function assertCanReadCustomer(principal: Principal, customerId: string): void {
  if (customerId === ORGANISATION_OWNER || !canReadOwner(principal, customerId)) throw notFound('Customer');
}

/** The organisation's own (corporate) data is for staff, never for a customer token. */
export function assertStaff(principal: Principal, what: string): void {
  if (principal.customerId !== undefined) throw notFound(what);
}
