// Per-request DataLoaders: every upstream read a request makes goes through here, so repeated and sibling reads are
// batched into the fewest calls each bank allows: one GET /balances per Open Banking consent, and at a core bank one
// call per 25 accounts of the whole request, whichever customers they belong to.
import DataLoader from 'dataloader';
import { consentRequired, upstreamUnavailable } from '../../lib/errors/index.js';
import { encodeAccountId } from './accountId.js';
import type { Account, BankLink, Balance, CustomerRecord, OwnerId } from './domain.js';
import { ORGANISATION_OWNER, linkKey } from './domain.js';
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
}

export function isConsentExpired(link: BankLink, now = Date.now()): boolean {
  return link.kind === 'open_banking' && Date.parse(link.consentExpiresAt) <= now;
}

/**
 * Counts each bank's account listings in flight for this request, so that a core bank's balances batch waits until
 * every listing of the request at that bank has come back (and asked for its balances) before it is sent: one call
 * for the accounts of many customers. Only the same bank's listings are waited for, so a slow bank elsewhere never
 * holds another bank's balances; each listing has its own deadline, so the wait always ends.
 */
class ListingsInFlight {
  private readonly counts = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  begin(institutionId: string): void {
    this.counts.set(institutionId, (this.counts.get(institutionId) ?? 0) + 1);
  }

  end(institutionId: string): void {
    const left = (this.counts.get(institutionId) ?? 1) - 1;
    this.counts.set(institutionId, left);
    if (left > 0) return;
    const callbacks = this.waiting.get(institutionId) ?? [];
    this.waiting.delete(institutionId);
    // setImmediate: after the finished listing's callers have run and queued their balance loads.
    for (const callback of callbacks) setImmediate(callback);
  }

  whenQuiet(institutionId: string, callback: () => void): void {
    if ((this.counts.get(institutionId) ?? 0) === 0) setImmediate(callback);
    else this.waiting.set(institutionId, [...(this.waiting.get(institutionId) ?? []), callback]);
  }
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

export function createLoaders(services: AccountsServices, tenant: string): AccountsLoaders {
  const customer = new DataLoader<string, CustomerRecord | null>(async (ids) => {
    const found = await services.directory.retrieveMany(tenant, ids);
    return ids.map((id) => found.get(id) ?? null);
  }, { maxBatchSize: 100 });

  let organisationLinks: Promise<readonly BankLink[]> | undefined;
  async function links(ownerId: OwnerId): Promise<readonly BankLink[]> {
    if (ownerId === ORGANISATION_OWNER) {
      organisationLinks ??= services.directory.organisationLinks(tenant);
      return organisationLinks;
    }
    return (await customer.load(ownerId))?.bankLinks ?? [];
  }

  const listings = new ListingsInFlight();
  const accountsAt = new DataLoader<{ ownerId: OwnerId; link: BankLink }, Account[], string>(
    ([key]) => {
      const { ownerId, link } = key as { ownerId: OwnerId; link: BankLink };
      listings.begin(link.institutionId);
      return (async () => {
        // A consent the directory already knows to be expired is not worth a call the bank will refuse.
        if (isConsentExpired(link)) throw consentRequired(link.institutionId);
        const connector = services.bank(link.institutionId, tenant);
        if (!connector) throw upstreamUnavailable(link.institutionId);
        const accounts = await connector.listAccounts(link);
        return [accounts.map((account) => ({
          ...account, institutionId: link.institutionId, ownerId, link,
          id: encodeAccountId({ tenant, institutionId: link.institutionId, ownerId, upstreamId: account.upstreamId }),
        }))];
      })().catch((error: unknown) => [asError(error)]).finally(() => listings.end(link.institutionId));
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
      loader = new DataLoader<Account, Balance | null, string>(async (accounts) => {
        if (!connector) throw upstreamUnavailable(institutionId);
        if (isConsentExpired(link)) throw consentRequired(institutionId);
        const found = await connector.balances(link, accounts.map((entry) => entry.upstreamId));
        return accounts.map((entry) => found.get(entry.upstreamId) ?? null);
      }, {
        cacheKeyFn: (entry) => entry.id,
        ...(core ? { batchScheduleFn: (send: () => void) => listings.whenQuiet(institutionId, send) } : {}),
      });
      balanceLoaders.set(scope, loader);
    }
    return loader;
  }
  const balance = {
    load: (account: Account) => balanceLoaderFor(account).load(account),
    loadMany: (accounts: readonly Account[]) => Promise.all(accounts.map((account) =>
      balanceLoaderFor(account).load(account).catch(asError))),
  };

  return { customer, links, accountsAt, balance };
}
