// Whose rows a principal may read, the same in every subgraph: a customer token (with customer_id) reads only its own
// customer, and never the organisation's own data; staff read any owner of their tenant (the tenant itself is checked
// where the row is found). A refusal is NOT_FOUND, exactly as for an id that does not exist, so existence never leaks.
import { ORGANISATION_OWNER } from '../domain/accountId.js';
import { notFound } from '../errors/index.js';
import type { Principal } from './principal.js';

export function canReadOwner(principal: Principal, ownerId: string): boolean {
  // The organisation is never a customer's, whatever customer_id a token carries.
  if (principal.customerId !== undefined) return ownerId !== ORGANISATION_OWNER && ownerId === principal.customerId;
  return true;
}

/** The organisation's own id is not a customer, for anyone. */
export function assertCanReadCustomer(principal: Principal, customerId: string): void {
  if (customerId === ORGANISATION_OWNER || !canReadOwner(principal, customerId)) throw notFound('Customer');
}
