// Per-request DataLoaders: every upstream read a request makes goes through here, so repeated and sibling reads are
// batched into the fewest calls each bank allows (one GET /balances per consent; 25 ids a call at core banks).
import DataLoader from 'dataloader';
import { consentRequired, upstreamUnavailable } from '../../lib/errors/index.js';
import { encodeAccountId } from './accountId.js';
import type { Account, BankLink, Balance, CustomerRecord, OwnerId } from './domain.js';
import { ORGANISATION_OWNER } from './domain.js';
import type { AccountsServices } from './services.js';

export interface AccountsLoaders {
  readonly customer: DataLoader<string, CustomerRecord | null>;
  /** The owner's link at each bank: a customer's from the directory, the organisation's from its record. */
  links(ownerId: OwnerId): Promise<readonly BankLink[]>;
  /** Accounts the owner holds at the bank behind one link. */
  readonly accountsAt: DataLoader<{ ownerId: OwnerId; link: BankLink }, Account[], string>;
  /** Balances, batched per owner and bank into the fewest calls that bank allows. */
  readonly balance: {
    load(account: Account): Promise<Balance | null>;
    loadMany(accounts: readonly Account[]): Promise<Array<Balance | null | Error>>;
  };
}

export function isConsentExpired(link: BankLink, now = Date.now()): boolean {
  return link.kind === 'open_banking' && Date.parse(link.consentExpiresAt) <= now;
}

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

  const accountsAt = new DataLoader<{ ownerId: OwnerId; link: BankLink }, Account[], string>(
    (keys) => Promise.all(keys.map(async ({ ownerId, link }) => {
      try {
        // A consent the directory already knows to be expired is not worth a call the bank will refuse.
        if (isConsentExpired(link)) throw consentRequired(link.institutionId);
        const connector = services.bank(link.institutionId, tenant);
        if (!connector) throw upstreamUnavailable(link.institutionId);
        const accounts = await connector.listAccounts(link);
        return accounts.map((account) => ({
          ...account, institutionId: link.institutionId, ownerId,
          id: encodeAccountId({ tenant, institutionId: link.institutionId, ownerId, upstreamId: account.upstreamId }),
        }));
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    })),
    // No API lists several links' accounts in one call; batching would only make every bank wait for the slowest.
    { batch: false, cacheKeyFn: ({ ownerId, link }) => `${ownerId}|${link.institutionId}` },
  );

  // One loader per batching scope, so that a slow bank delays only its own accounts' balances, never another bank's.
  // The scope is what the bank's API can answer in one call: an Open Banking consent covers one owner's accounts; a
  // core bank's tenant key covers every account of the tenant at that bank.
  const balanceLoaders = new Map<string, DataLoader<Account, Balance | null, string>>();
  function balanceLoaderFor(account: Account): DataLoader<Account, Balance | null, string> {
    const connector = services.bank(account.institutionId, tenant);
    const scope = connector?.institution.api === 'US_CORE_BANKING' ? account.institutionId : `${account.ownerId}|${account.institutionId}`;
    let loader = balanceLoaders.get(scope);
    if (!loader) {
      const { ownerId, institutionId } = account;
      loader = new DataLoader<Account, Balance | null, string>(async (accounts) => {
        const link = (await links(ownerId)).find((entry) => entry.institutionId === institutionId);
        if (!link || !connector) throw upstreamUnavailable(institutionId);
        if (isConsentExpired(link)) throw consentRequired(institutionId);
        const found = await connector.balances(link, accounts.map((entry) => entry.upstreamId));
        return accounts.map((entry) => found.get(entry.upstreamId) ?? null);
      }, { cacheKeyFn: (entry) => entry.id });
      balanceLoaders.set(scope, loader);
    }
    return loader;
  }
  const balance = {
    load: (account: Account) => balanceLoaderFor(account).load(account),
    loadMany: (accounts: readonly Account[]) => Promise.all(accounts.map((account) =>
      balanceLoaderFor(account).load(account).catch((error: unknown) =>
        (error instanceof Error ? error : new Error(String(error)))))),
  };

  return { customer, links, accountsAt, balance };
}
