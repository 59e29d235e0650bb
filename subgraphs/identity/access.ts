// Row-level access within the identity subgraph: a customer token reads only its own customer; staff read any
// customer of their tenant (the directory, called with the tenant's key, knows no other). Refusals are NOT_FOUND, as
// for an id that does not exist, so that existence never leaks.
import type { Principal } from '../../lib/auth/principal.js';
import { ORGANISATION_OWNER } from '../../lib/domain/accountId.js';
import { notFound } from '../../lib/errors/index.js';

export function assertCanReadCustomer(principal: Principal, customerId: string): void {
  if (customerId === ORGANISATION_OWNER) throw notFound('Customer');
  if (principal.customerId !== undefined && principal.customerId !== customerId) throw notFound('Customer');
}
