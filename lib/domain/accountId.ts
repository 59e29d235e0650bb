// Account ids FinGraph hands out: opaque, but carrying the tenant, bank, owner and the bank's own id, so that a lookup
// goes straight to the right bank connection and an id from another tenant is refused before any upstream call.
// Shared by the accounts subgraph (which mints them) and the payments subgraph (which debits the accounts they name).

/** Who holds an account: one of the tenant's customers, or the tenant's own organisation (corporate accounts). */
export type OwnerId = string;
export const ORGANISATION_OWNER = 'org';

export interface AccountAddress {
  readonly tenant: string;
  readonly institutionId: string;
  readonly ownerId: OwnerId;
  readonly upstreamId: string;
}

const PREFIX = 'acc_';

export function encodeAccountId(address: AccountAddress): string {
  const parts = [address.tenant, address.institutionId, address.ownerId, address.upstreamId].map(encodeURIComponent);
  return PREFIX + Buffer.from(`v1|${parts.join('|')}`).toString('base64url');
}

export function decodeAccountId(id: string): AccountAddress | undefined {
  if (!id.startsWith(PREFIX) || id.length > 512) return undefined;
  const parts = Buffer.from(id.slice(PREFIX.length), 'base64url').toString('utf8').split('|');
  if (parts.length !== 5 || parts[0] !== 'v1') return undefined;
  try {
    const [tenant, institutionId, ownerId, upstreamId] = parts.slice(1).map(decodeURIComponent) as [string, string, string, string];
    if (!tenant || !institutionId || !ownerId || !upstreamId) return undefined;
    return { tenant, institutionId, ownerId, upstreamId };
  } catch {
    return undefined;
  }
}
