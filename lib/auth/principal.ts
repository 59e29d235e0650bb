// Who is asking: the verified principal the gateway derives from a client's token and hands to every subgraph.

export const scopes = [
  'profile:read',
  'pii:read',
  'accounts:read',
  'transactions:read',
  'payments:read',
  'payments:write',
  'kyc:read',
  'credit:read',
  'credit:report',
  'treasury:read',
] as const;
export type Scope = (typeof scopes)[number];

export interface Principal {
  /** A customer ID for customer tokens; a staff or service ID otherwise. */
  readonly sub: string;
  /** The organisation the principal belongs to. Every read is scoped by it; there is no default tenant. */
  readonly tenant: string;
  /** Present on customer tokens: such a principal reads only this customer. */
  readonly customerId: string | undefined;
  readonly scopes: readonly string[];
  /** Authentication methods (RFC 8176 values such as pwd, otp, mfa, hwk, sms). */
  readonly amr: readonly string[];
  /** The tenant's plan from the token's `plan` claim, when it names one: it selects the gateway's limits (cost maximum). */
  readonly plan?: string | undefined;
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes(scope);
}

const tenantPattern = /^[a-z][a-z0-9-]{1,62}$/;

/** Tenants are short lowercase slugs; anything else in a token is refused rather than used in a key or a lookup. */
export function isValidTenant(value: unknown): value is string {
  return typeof value === 'string' && tenantPattern.test(value);
}
