// What the accounts subgraph caches, for how long, and whether it is encrypted at rest: the one table to read.
// freshSeconds: served without asking the upstream. staleSeconds: after that, still served while a refresh runs, and
// served when the upstream fails (the data keeps its own asOf, so a client can tell its age). sensitive: the value
// holds personal data, account numbers or consent tokens, and is stored AES-256-GCM encrypted.
import type { CachePolicy } from '../../lib/cache/index.js';

export const defaultCachePolicy = {
  /** Customer records with their bank connections (names, e-mails, consent tokens). */
  customers: { namespace: 'customers', version: 1, freshSeconds: 300, staleSeconds: 3600, sensitive: true },
  /** The organisation's bank connections (consent tokens). */
  organisation: { namespace: 'organisation', version: 1, freshSeconds: 300, staleSeconds: 3600, sensitive: true },
  /**
   * Accounts behind one connection (account numbers). They change rarely, but a consent revoked at the bank is only
   * learned from the bank, so data read under a consent is not held fresh for long.
   */
  accounts: { namespace: 'accounts', version: 1, freshSeconds: 60, staleSeconds: 600, sensitive: true },
  /** Balances move with every payment: seconds. */
  balances: { namespace: 'balances', version: 1, freshSeconds: 15, staleSeconds: 300, sensitive: false },
  /** The newest page of transactions holds the pending ones, which settle within the day: short. */
  recentTransactions: { namespace: 'transactions-recent', version: 1, freshSeconds: 15, staleSeconds: 300, sensitive: true },
  /** Older pages hold only booked transactions, which do not change: long. */
  bookedTransactions: { namespace: 'transactions-booked', version: 1, freshSeconds: 3600, staleSeconds: 86_400, sensitive: true },
} as const satisfies Record<string, CachePolicy>;

export type CachePolicies = { readonly [K in keyof typeof defaultCachePolicy]: CachePolicy } & { fxRates(now?: Date): CachePolicy };

/** Durations an operator sets per namespace (CACHE_TTL_OVERRIDES), without a deploy. */
export type TtlOverrides = ReadonlyMap<string, { readonly freshSeconds: number; readonly staleSeconds: number }>;

/** The table above with any overrides applied. */
export function resolveCachePolicies(overrides: TtlOverrides = new Map()): CachePolicies {
  const apply = (policy: CachePolicy): CachePolicy => ({ ...policy, ...overrides.get(policy.namespace) });
  const table = Object.fromEntries(Object.entries(defaultCachePolicy).map(([name, policy]) => [name, apply(policy)]));
  return { ...(table as { [K in keyof typeof defaultCachePolicy]: CachePolicy }), fxRates: (now?: Date) => apply(fxRatesPolicy(now)) };
}

/**
 * The ECB publishes its reference rates once a working day, around 16:00 CET (15:00 UTC): a rate set is fresh until
 * the next publication (at least a minute, so a late publication is re-checked soon).
 */
export function fxRatesPolicy(now: Date = new Date()): CachePolicy {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 15, 0, 0));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  const freshSeconds = Math.max(60, Math.floor((next.getTime() - now.getTime()) / 1000));
  return { namespace: 'fx-rates', version: 1, freshSeconds, staleSeconds: 86_400, sensitive: false };
}
