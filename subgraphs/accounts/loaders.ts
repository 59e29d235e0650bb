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
  readonly balance: DataLoader<Account, Balance | null, string>;
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
    { cacheKeyFn: ({ ownerId, link }) => `${ownerId}|${link.institutionId}` },
  );

  const balance = new DataLoader<Account, Balance | null, string>(async (accounts) => {
    const groups = new Map<string, Account[]>();
    for (const account of accounts) {
      const key = `${account.ownerId}|${account.institutionId}`;
      groups.set(key, [...(groups.get(key) ?? []), account]);
    }
    const results = new Map<string, Balance | null | Error>();
    await Promise.all([...groups.values()].map(async (group) => {
      const { ownerId, institutionId } = group[0] as Account;
      try {
        const link = (await links(ownerId)).find((entry) => entry.institutionId === institutionId);
        const connector = services.bank(institutionId, tenant);
        if (!link || !connector) throw upstreamUnavailable(institutionId);
        if (isConsentExpired(link)) throw consentRequired(institutionId);
        const found = await connector.balances(link, group.map((account) => account.upstreamId));
        for (const account of group) results.set(account.id, found.get(account.upstreamId) ?? null);
      } catch (error) {
        for (const account of group) results.set(account.id, error instanceof Error ? error : new Error(String(error)));
      }
    }));
    return accounts.map((account) => results.get(account.id) ?? null);
  }, { cacheKeyFn: (account) => account.id });

  return { customer, links, accountsAt, balance };
}
