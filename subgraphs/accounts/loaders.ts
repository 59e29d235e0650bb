// Per-request DataLoaders: every upstream read a request makes goes through here, first through the shared cache
// (policies in cachePolicy.ts), then, for what the cache does not hold, batched into the fewest calls each bank
// allows: one GET /balances per Open Banking consent, and at a core bank one call per 25 accounts of the whole
// request, whichever customers they belong to.
import DataLoader from 'dataloader';
import { encodeAccountId } from '../../lib/domain/accountId.js';
import { consentRequired, FinGraphError, upstreamUnavailable } from '../../lib/errors/index.js';
import type { Account, Balance, BankLink, CustomerRecord, OwnerId } from './domain.js';
import { linkKey, ORGANISATION_OWNER } from './domain.js';
import type { AccountsServices } from './services.js';

export interface AccountsLoaders {
  readonly customer: DataLoader<string, CustomerRecord | null>;
  /** The owner's bank links: a customer's from the directory, the organisation's from its record. */
  links(ownerId: OwnerId): Promise<readonly BankLink[]>;
  /** Accounts the owner holds behind one link. */
  readonly accountsAt: DataLoader<{ ownerId: OwnerId; link: BankLink }, Account[], string>;
  /** Balances, batched into the fewest calls each bank allows. */
  readonly balance: {
    load(account: Account): Promise<Balance | null>;
    loadMany(accounts: readonly Account[]): Promise<Array<Balance | null | Error>>;
  };
  /** Wraps an upstream read made under a link so that a refused consent drops what is cached under it. */
  forgettingOnRevocation<T>(link: BankLink, read: () => Promise<T>): () => Promise<T>;
}

export { TENANT_TAG } from '../../lib/cache/index.js';

import { accountTag, asLoaderError, bankLinkTag, cachedLoader, customerTag, TENANT_TAG } from '../../lib/cache/index.js';

export function isConsentExpired(link: BankLink, now = Date.now()): boolean {
  return link.kind === 'open_banking' && Date.parse(link.consentExpiresAt) <= now;
}

/**
 * Counts each bank's reads in flight for this request (account listings, and balance lookups still in the cache), so
 * that a core bank's balances batch waits until every read of the request at that bank has come back (and asked for
 * its balances) before it is sent: one call for the accounts of many customers. Only the same bank's reads are
 * waited for, so a slow bank elsewhere never holds another bank's balances; each read has its own deadline, so the
 * wait always ends.
 */
class PendingReads {
  private readonly counts = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  begin(institutionId: string): void {
    this.counts.set(institutionId, (this.counts.get(institutionId) ?? 0) + 1);
  }

  end(institutionId: string): void {
    const left = (this.counts.get(institutionId) ?? 1) - 1;
    this.counts.set(institutionId, left);
    if (left === 0) setImmediate(() => this.release(institutionId));
  }

  whenQuiet(institutionId: string, callback: () => void): void {
    this.waiting.set(institutionId, [...(this.waiting.get(institutionId) ?? []), callback]);
    if ((this.counts.get(institutionId) ?? 0) === 0) setImmediate(() => this.release(institutionId));
  }

  /**
   * Runs after the microtasks of the read that finished: if that read's callers started new reads at this bank (its
   * accounts' balance lookups), the count is up again and the batch keeps waiting for them.
   */
  private release(institutionId: string): void {
    if ((this.counts.get(institutionId) ?? 0) > 0) return;
    const callbacks = this.waiting.get(institutionId) ?? [];
    this.waiting.delete(institutionId);
    for (const callback of callbacks) callback();
  }
}

export function createLoaders(services: AccountsServices, tenant: string): AccountsLoaders {
  const { cache } = services;
  const scope = { tenant };
  const upstreamCustomers = new DataLoader<string, CustomerRecord | null>(
    async (ids) => {
      const found = await services.directory.retrieveMany(tenant, ids);
      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize: 100 },
  );
  // The cache reads all the request's keys in one round trip; only the misses go to the directory, in one batch.
  const customer = cachedLoader<string, CustomerRecord | null>(cache, (id) => ({
    policy: services.cachePolicy.customers,
    scope,
    key: [id],
    tags: [TENANT_TAG, customerTag(id)],
    load: () => upstreamCustomers.load(id),
  }));

  let organisationLinks: Promise<readonly BankLink[]> | undefined;
  async function links(ownerId: OwnerId): Promise<readonly BankLink[]> {
    if (ownerId === ORGANISATION_OWNER) {
      organisationLinks ??= cache.readThrough({
        policy: services.cachePolicy.organisation,
        scope,
        key: [ORGANISATION_OWNER],
        tags: [TENANT_TAG],
        load: () => services.directory.organisationLinks(tenant),
      });
      return organisationLinks;
    }
    return (await customer.load(ownerId))?.bankLinks ?? [];
  }

  /**
   * A consent the bank refuses drops everything cached under it: data read under a consent is not served once the
   * consent is known to be gone.
   */
  function forgettingOnRevocation<T>(link: BankLink, read: () => Promise<T>): () => Promise<T> {
    return () =>
      read().catch(async (error: unknown) => {
        if (error instanceof FinGraphError && error.code === 'CONSENT_REQUIRED') await cache.invalidate(scope, [`link:${linkKey(link)}`]);
        throw error;
      });
  }

  const pending = new PendingReads();
  const accountsAt = new DataLoader<{ ownerId: OwnerId; link: BankLink }, Account[], string>(
    ([key]) => {
      const { ownerId, link } = key as { ownerId: OwnerId; link: BankLink };
      pending.begin(link.institutionId);
      return (async () => {
        // A consent the directory already knows to be expired is not worth a call the bank will refuse.
        if (isConsentExpired(link)) throw consentRequired(link.institutionId);
        const connector = services.bank(link.institutionId, tenant);
        if (!connector) throw upstreamUnavailable(link.institutionId);
        const accounts = await cache.readThrough({
          policy: services.cachePolicy.accounts,
          scope,
          key: [ownerId, linkKey(link)],
          tags: [TENANT_TAG, `link:${linkKey(link)}`],
          load: forgettingOnRevocation(link, () => connector.listAccounts(link)),
        });
        return [
          accounts.map((account) => ({
            ...account,
            institutionId: link.institutionId,
            ownerId,
            link,
            id: encodeAccountId({ tenant, institutionId: link.institutionId, ownerId, upstreamId: account.upstreamId }),
          })),
        ];
      })()
        .catch((error: unknown) => [asLoaderError(error)])
        .finally(() => pending.end(link.institutionId));
    },
    // No API lists several links' accounts in one call; batching would only make every bank wait for the slowest.
    { batch: false, cacheKeyFn: ({ ownerId, link }) => `${ownerId}|${linkKey(link)}` },
  );

  // One loader per batching scope, so that a slow bank delays only its own accounts' balances, never another's.
  // An Open Banking consent covers one link's accounts; a core bank's tenant key covers every account of the tenant.
  const balanceLoaders = new Map<string, DataLoader<Account, Balance | null, string>>();
  function balanceLoaderFor(account: Account): DataLoader<Account, Balance | null, string> {
    const connector = services.bank(account.institutionId, tenant);
    const core = connector?.institution.api === 'US_CORE_BANKING';
    const scope = core ? account.institutionId : linkKey(account.link);
    let loader = balanceLoaders.get(scope);
    if (!loader) {
      const { link, institutionId } = account;
      loader = new DataLoader<Account, Balance | null, string>(
        async (accounts) => {
          if (!connector) throw upstreamUnavailable(institutionId);
          if (isConsentExpired(link)) throw consentRequired(institutionId);
          const found = await connector.balances(
            link,
            accounts.map((entry) => entry.upstreamId),
          );
          return accounts.map((entry) => found.get(entry.upstreamId) ?? null);
        },
        {
          cacheKeyFn: (entry) => entry.id,
          ...(core ? { batchScheduleFn: (send: () => void) => pending.whenQuiet(institutionId, send) } : {}),
        },
      );
      balanceLoaders.set(scope, loader);
    }
    return loader;
  }
  const cachedBalance = new DataLoader<Account, Balance | null, string>(
    (accounts) =>
      Promise.all(
        accounts.map((account) => {
          // Counted as pending at its bank until the cache has answered or handed it to the upstream batch, so that the
          // core-bank batch is not sent while cache lookups that may still join it are under way.
          pending.begin(account.institutionId);
          let waiting = true;
          const settle = () => {
            if (waiting) {
              waiting = false;
              pending.end(account.institutionId);
            }
          };
          return cache
            .readThrough({
              policy: services.cachePolicy.balances,
              scope,
              key: [account.id],
              tags: [TENANT_TAG, accountTag(account.id), bankLinkTag(linkKey(account.link))],
              load: forgettingOnRevocation(account.link, () => {
                const upstream = balanceLoaderFor(account).load(account);
                settle();
                return upstream;
              }),
            })
            .catch(asLoaderError)
            .finally(settle);
        }),
      ),
    { cacheKeyFn: (account) => account.id },
  );
  const balance = {
    load: (account: Account) => cachedBalance.load(account),
    loadMany: (accounts: readonly Account[]) => cachedBalance.loadMany(accounts),
  };

  return { customer, links, accountsAt, balance, forgettingOnRevocation };
}
