// Builds every Redis key the rate limiter writes. A principal's budgets (its tenant's, its client's, its payments' and
// bureau pulls') share the tenant's hash tag, so the one Lua script that charges them all touches one Cluster slot;
// an IP's budget has its own tag. Clients, subjects and addresses are hashed: none appears in a key in clear.
import { createHash } from 'node:crypto';

export const keyPrefix = 'fg';

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 22);
}

/**
 * The hash tag of a tenant's budgets: the tenant's own `{<tenant>}`, as the cache's and the payments' keys have it, so
 * every key FinGraph writes for a tenant says whose it is and a tenant's keys share one slot.
 */
export function tenantTag(tenant: string): string {
  return `{${tenant}}`;
}

export const budgetKeys = {
  tenant: (tenant: string) => `${keyPrefix}:${tenantTag(tenant)}:rl:tenant`,
  client: (tenant: string, client: string) => `${keyPrefix}:${tenantTag(tenant)}:rl:client:${digest(client)}`,
  payments: (tenant: string, sub: string) => `${keyPrefix}:${tenantTag(tenant)}:rl:payments:${digest(sub)}`,
  creditReports: (tenant: string, sub: string) => `${keyPrefix}:${tenantTag(tenant)}:rl:credit-reports:${digest(sub)}`,
  ip: (address: string) => `${keyPrefix}:{rl-ip:${digest(address)}}:ip`,
};

/** The part of a key Redis Cluster hashes: the first `{…}` with something inside, else the whole key. */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}
