// What only staff may read in the accounts subgraph: the organisation's own (corporate) data. Whose customers' rows a
// principal may read is the same in every subgraph (lib/auth/rowAccess.ts).

import type { Principal } from '../../lib/auth/principal.js';
import { notFound } from '../../lib/errors/index.js';

/** The organisation's own (corporate) data is for staff, never for a customer token. */
export function assertStaff(principal: Principal, what: string): void {
  if (principal.customerId !== undefined) throw notFound(what);
}
