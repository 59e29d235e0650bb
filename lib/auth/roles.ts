// Roles are bundles of scopes that the development token tool issues (../shared/contract/README.md). Least privilege:
// each role gets what its users' screens need and nothing more.
import type { Scope } from './principal.js';

export const roles = {
  /** The signed-in customer: their own profile, accounts, payments, KYC status and score. */
  customer: ['profile:read', 'accounts:read', 'transactions:read', 'payments:read', 'payments:write', 'kyc:read', 'credit:read'],
  /** Customer support: the customer's picture without personal data or credit. */
  support: ['profile:read', 'accounts:read', 'transactions:read', 'payments:read', 'kyc:read'],
  /** The CFO's dashboard: the organisation's treasury. */
  cfo: ['treasury:read', 'accounts:read', 'transactions:read', 'payments:read'],
  /** Analysts exploring aggregates: no personal data, no transactions of individuals. */
  analyst: ['treasury:read', 'accounts:read'],
  /** Risk staff: KYC and full credit reports. */
  risk: ['profile:read', 'accounts:read', 'transactions:read', 'kyc:read', 'credit:read', 'credit:report'],
  /** Everything, for operators. */
  admin: [
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
  ],
} as const satisfies Record<string, readonly Scope[]>;

export type Role = keyof typeof roles;

export function isRole(value: string): value is Role {
  return Object.hasOwn(roles, value);
}
