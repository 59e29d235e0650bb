// The invalidation tags more than one subgraph writes or drops, named once: the accounts subgraph tags a balance with
// its account, and the payments subgraph drops that tag when a payment moves money; a spelling that differed would
// leave a stale balance in the shared cache with nothing to say so. Tags are per tenant (cache.ts scopes them).

/** Every entry of a tenant carries this tag in every subgraph, so that a tenant's whole cache can be dropped at once. */
export const TENANT_TAG = 'tenant';

/** Everything read about one account: its balances and transactions. */
export const accountTag = (accountId: string): string => `account:${accountId}`;

/** Everything read about one customer: profile, bank links, score. */
export const customerTag = (customerId: string): string => `customer:${customerId}`;

/** Everything read about one payment. */
export const paymentTag = (paymentId: string): string => `payment:${paymentId}`;

/** Everything read through one bank link (a consent or a core-banking customer), by its key (accounts' linkKey). */
export const bankLinkTag = (linkKey: string): string => `link:${linkKey}`;
