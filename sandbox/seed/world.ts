// Builds the seeded customers, organisations, accounts, consents and core-bank customers eagerly (a few thousand
// small objects, milliseconds); transactions are generated lazily per account by ledger.ts.

import { gbIban, ukBanks, usBanks } from './identifiers.js';
import type { CurrencyCode } from './money.js';
import { corporatePurposes, emailDomains, firstNames, lastNames, personalNicknames } from './names.js';
import { seedPerson } from './people.js';
import { Rng } from './prng.js';
import { type Clock, dayMs } from './time.js';
import {
  type BankId,
  bankIds,
  type CoreBank,
  coreBanks,
  type OpenBankingBank,
  type OwnerKind,
  openBankingBanks,
  type Product,
  type SeedAccount,
  type SeedBankCustomer,
  type SeedBankLink,
  type SeedConsent,
  type SeedCustomer,
  type SeedOrganisation,
  type TenantId,
  tenantIds,
  type World,
} from './types.js';

const customerCounts: Readonly<Record<TenantId, [number, number]>> = { acme: [240, 260], globex: [190, 210] };
const organisationNames: Readonly<Record<TenantId, string>> = { acme: 'Acme Corporation', globex: 'Globex Corporation' };
const accountsPerCustomer = [1, 1, 1, 2, 2, 2, 2, 3, 3, 4] as const;
const expiredConsentShare = 0.03;
const openedInWindowShare = 0.1;
const organisationConsentDays = 90;

interface Owner {
  readonly kind: OwnerKind;
  readonly id: string;
  readonly name: string;
  readonly tenant: TenantId;
  /** The earliest an account of this owner may have been opened (ms). */
  readonly since: number;
}

interface AccountDraft {
  readonly bank: BankId;
  readonly currency: CurrencyCode;
  readonly product: Product;
  readonly nickname: string;
  readonly openedAt: number;
}

export function buildWorld(seed: string, clock: Clock): World {
  const builder = new WorldBuilder(seed, clock);
  for (const tenant of tenantIds) builder.addTenant(tenant);
  builder.guaranteeTestableCases();
  return builder.finish();
}

class WorldBuilder {
  private readonly usedIds = new Set<string>();
  private readonly customers = new Map<TenantId, SeedCustomer[]>();
  private readonly organisations = new Map<TenantId, SeedOrganisation>();
  private readonly accounts = new Map<string, SeedAccount>();
  private readonly consents = new Map<string, SeedConsent>();
  private readonly bankCustomers = new Map<string, SeedBankCustomer>();

  constructor(
    private readonly seed: string,
    private readonly clock: Clock,
  ) {}

  addTenant(tenant: TenantId): void {
    const rng = new Rng(`${this.seed}|tenant|${tenant}`);
    const [min, max] = customerCounts[tenant];
    const count = rng.int(min, max);
    const customers: SeedCustomer[] = [];
    for (let i = 0; i < count; i++) customers.push(this.addCustomer(rng, tenant));
    customers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.customers.set(tenant, customers);
    this.organisations.set(tenant, this.addOrganisation(new Rng(`${this.seed}|organisation|${tenant}`), tenant));
  }

  /**
   * Tests need at least one expired consent and one account with its whole history (opened inside the window, so its
   * balance is the sum of its transactions) per tenant and bank; a small seed-dependent sample might miss one.
   */
  guaranteeTestableCases(): void {
    for (const tenant of tenantIds) {
      const customers = this.customers.get(tenant) ?? [];
      for (const bank of bankIds) {
        const accounts = customers.flatMap((customer) => this.accountsOf(customer.links, bank));
        const first = accounts[0];
        if (first && !accounts.some((account) => account.openedAt > this.clock.windowStart)) {
          first.openedAt = this.clock.windowStart + 30 * dayMs + 10 * 3_600_000;
        }
      }
      // KYC tests need checks still running (to complete one) and a result that asks for review, in every tenant.
      const byOutcome = (outcome: string) => customers.filter((customer) => customer.kyc.outcome === outcome);
      for (const customer of customers
        .filter((entry) => entry.kyc.outcome === 'clear')
        .slice(0, Math.max(0, 3 - byOutcome('in_progress').length))) {
        customer.kyc.outcome = 'in_progress';
      }
      const firstClear = byOutcome('clear')[0];
      if (firstClear && byOutcome('consider').length === 0) {
        firstClear.kyc.outcome = 'consider';
        firstClear.kyc.considerReport = 'document';
      }
      for (const bank of openBankingBanks) {
        const consents = customers
          .flatMap((customer) => customer.links)
          .flatMap((link) => (link.type === 'open_banking' && link.bank === bank ? [link.consent] : []));
        const first = consents[0];
        if (first && !consents.some((consent) => consent.expiresAt < this.clock.anchorStart)) {
          first.expiresAt = this.clock.anchorStart - 7 * dayMs + 9 * 3_600_000;
          first.createdAt = first.expiresAt - 90 * dayMs;
        }
      }
    }
  }

  finish(): World {
    const customerById = new Map<string, SeedCustomer>();
    for (const list of this.customers.values()) for (const customer of list) customerById.set(customer.id, customer);
    const consentByToken = new Map<string, SeedConsent>();
    for (const consent of this.consents.values()) consentByToken.set(consent.accessToken, consent);
    return {
      seed: this.seed,
      clock: this.clock,
      customers: this.customers,
      customerById,
      organisations: this.organisations,
      accounts: this.accounts,
      consents: this.consents,
      consentByToken,
      bankCustomers: this.bankCustomers,
    };
  }

  private accountsOf(links: readonly SeedBankLink[], bank: BankId): SeedAccount[] {
    const ids = links.flatMap((link) => {
      if (link.bank !== bank) return [];
      return link.type === 'open_banking' ? link.consent.accountIds : link.bankCustomer.accountIds;
    });
    return ids.flatMap((id) => this.accounts.get(id) ?? []);
  }

  private addCustomer(rng: Rng, tenant: TenantId): SeedCustomer {
    const id = this.uniqueId(() => `cus_${rng.hex(16)}`);
    const first = rng.pick(firstNames);
    const last = rng.pick(lastNames);
    const handle = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    const email = `${handle}${rng.chance(0.4) ? rng.int(1, 99) : ''}@${rng.pick(emailDomains)}`;
    const createdMs = this.clock.anchorStart - rng.int(100, 5 * 365) * dayMs - rng.int(0, 86_399) * 1000;
    const owner: Owner = { kind: 'customer', id, name: `${first} ${last}`, tenant, since: createdMs };
    const drafts: AccountDraft[] = [];
    const accountCount = rng.pick(accountsPerCustomer);
    for (let i = 0; i < accountCount; i++) drafts.push(this.personalDraft(rng, owner));
    const links = this.addAccounts(rng, owner, drafts, (bankRng) => this.customerConsentTimes(bankRng));
    // Customers of the US core banks live in the US; the others in the UK (by their first bank).
    const country = links[0]?.type === 'core_banking' ? 'US' : 'GB';
    const { person, kyc } = seedPerson({
      seed: this.seed,
      clock: this.clock,
      customerId: id,
      firstName: first,
      lastName: last,
      country,
      createdMs,
      uniqueId: (generate) => this.uniqueId(generate),
    });
    return { id, tenant, displayName: owner.name, email, created: Math.floor(createdMs / 1000), links, person, kyc };
  }

  private addOrganisation(rng: Rng, tenant: TenantId): SeedOrganisation {
    const name = organisationNames[tenant];
    const owner: Owner = { kind: 'organisation', id: `org_${tenant}`, name, tenant, since: this.clock.anchorStart - 10 * 365 * dayMs };
    const jpyBank = rng.pick(bankIds);
    const drafts: AccountDraft[] = [];
    for (const bank of bankIds) {
      // Lakeside is each organisation's main US operating bank, with dozens of sub-accounts: more than one
      // 25-id balances call can cover, which is what batching has to get right.
      const count = bank === 'lakeside' ? rng.int(30, 36) : rng.int(8, 12);
      const regional: readonly CurrencyCode[] = (openBankingBanks as readonly string[]).includes(bank)
        ? ['GBP', 'GBP', 'EUR', 'USD']
        : ['USD', 'USD', 'USD', 'EUR', 'GBP'];
      for (let i = 0; i < count; i++) {
        // Every bank holds USD, GBP and EUR; one bank also holds the organisation's yen account.
        const currency: CurrencyCode =
          i < 3 ? ((['USD', 'GBP', 'EUR'] as const)[i] ?? 'USD') : bank === jpyBank && i === 3 ? 'JPY' : rng.pick(regional);
        const isCore = (coreBanks as readonly string[]).includes(bank);
        const product: Product = i < 3 || rng.chance(0.6) ? 'current' : isCore && rng.chance(0.5) ? 'money_market' : 'savings';
        const purpose = product === 'current' ? rng.pick(corporatePurposes) : product === 'savings' ? 'Reserve' : 'Liquidity';
        const openedAt = this.clock.windowStart - rng.int(200, 3000) * dayMs - rng.int(8, 17) * 3_600_000;
        drafts.push({ bank, currency, product, nickname: `${purpose} ${currency}`, openedAt });
      }
    }
    const links = this.addAccounts(rng, owner, drafts, (bankRng) => ({
      createdAt: this.clock.anchorStart - bankRng.int(1, 60) * dayMs + bankRng.int(8 * 3600, 18 * 3600) * 1000,
      expiresAt: this.clock.anchorStart + organisationConsentDays * dayMs,
    }));
    return { id: owner.id, tenant, name, links };
  }

  private personalDraft(rng: Rng, owner: Owner): AccountDraft {
    const bank = rng.pick(bankIds);
    const isCore = (coreBanks as readonly string[]).includes(bank);
    const currency: CurrencyCode = rng.chance(0.05) ? 'EUR' : isCore ? 'USD' : 'GBP';
    const roll = rng.next();
    const product: Product = roll < 0.7 ? 'current' : isCore && roll > 0.93 ? 'money_market' : 'savings';
    const inWindow = rng.chance(openedInWindowShare);
    const openedAt = inWindow
      ? this.clock.windowStart + rng.int(5, 70) * dayMs + rng.int(8 * 3600, 19 * 3600) * 1000
      : rng.int(owner.since / 1000, (this.clock.windowStart - dayMs) / 1000) * 1000;
    return { bank, currency, product, nickname: rng.pick(personalNicknames[product]), openedAt };
  }

  /** Valid consents run 30–89 days past the anchor, so a test pinning the anchor has a month before real time catches up. */
  private customerConsentTimes(rng: Rng): { createdAt: number; expiresAt: number } {
    const timeOfDay = rng.int(7 * 3600, 22 * 3600) * 1000;
    const expiresAt = rng.chance(expiredConsentShare)
      ? this.clock.anchorStart - rng.int(1, 60) * dayMs + timeOfDay
      : this.clock.anchorStart + rng.int(30, 89) * dayMs + timeOfDay;
    return { createdAt: expiresAt - 90 * dayMs, expiresAt };
  }

  /** Creates the accounts and one bank link per bank used: a consent at an OB bank, a bank customer at a core bank. */
  private addAccounts(
    rng: Rng,
    owner: Owner,
    drafts: readonly AccountDraft[],
    consentTimes: (rng: Rng) => { createdAt: number; expiresAt: number },
  ): SeedBankLink[] {
    const links: SeedBankLink[] = [];
    for (const bank of bankIds) {
      const forBank = drafts.filter((draft) => draft.bank === bank);
      if (forBank.length === 0) continue;
      if (bank === 'northwind' || bank === 'albion') {
        // Real customers often hold more than one consent at one bank (accounts added later, a second entity): the
        // organisation always does at Albion, and some customers with several accounts at a bank do too.
        const split = forBank.length >= 2 && (owner.kind === 'organisation' ? bank === 'albion' : rng.chance(0.15));
        const groups = split ? [forBank.slice(0, Math.ceil(forBank.length / 2)), forBank.slice(Math.ceil(forBank.length / 2))] : [forBank];
        for (const group of groups) {
          const { createdAt, expiresAt } = consentTimes(rng);
          const consent: SeedConsent = {
            id: this.uniqueId(() => `aac-${rng.uuid()}`),
            bank,
            tenant: owner.tenant,
            ownerId: owner.id,
            accessToken: this.uniqueId(() => rng.alphanumeric(40)),
            createdAt,
            expiresAt,
            accountIds: group.map((draft) => this.addOpenBankingAccount(rng, owner, bank, draft).id),
          };
          this.consents.set(consent.id, consent);
          links.push({ type: 'open_banking', bank, consent });
        }
      } else {
        const bankCustomer: SeedBankCustomer = {
          id: this.uniqueId(() => `${bank === 'lakeside' ? 'LK' : 'PT'}${rng.digits(9)}`),
          bank,
          tenant: owner.tenant,
          ownerId: owner.id,
          accountIds: [],
        };
        for (const draft of forBank) bankCustomer.accountIds.push(this.addCoreAccount(rng, owner, bank, bankCustomer.id, draft).id);
        this.bankCustomers.set(bankCustomer.id, bankCustomer);
        links.push({ type: 'core_banking', bank, bankCustomer });
      }
    }
    return links;
  }

  private addOpenBankingAccount(rng: Rng, owner: Owner, bank: OpenBankingBank, draft: AccountDraft): SeedAccount {
    const profile = ukBanks[bank];
    const sortCode = `${profile.sortCodePrefix}${rng.digits(2)}`;
    const accountNumber = rng.digits(8);
    return this.store({
      ...this.common(owner, draft),
      id: this.uniqueId(() => rng.uuid()),
      accountNumber,
      sortCode,
      ...(draft.currency === 'GBP' ? {} : { iban: gbIban(profile.ibanBankCode, sortCode, accountNumber) }),
    });
  }

  private addCoreAccount(rng: Rng, owner: Owner, bank: CoreBank, bankCustomerId: string, draft: AccountDraft): SeedAccount {
    return this.store({
      ...this.common(owner, draft),
      id: this.uniqueId(() => `acct_${rng.alphanumeric(16)}`),
      accountNumber: `${rng.int(1, 9)}${rng.digits(owner.kind === 'customer' ? 9 : 11)}`,
      routingNumber: usBanks[bank].routingNumber,
      bankCustomerId,
    });
  }

  private common(owner: Owner, draft: AccountDraft) {
    return {
      bank: draft.bank,
      tenant: owner.tenant,
      ownerKind: owner.kind,
      ownerId: owner.id,
      holderName: owner.name,
      currency: draft.currency,
      product: draft.product,
      nickname: draft.nickname,
      openedAt: draft.openedAt,
    };
  }

  private store(account: SeedAccount): SeedAccount {
    this.accounts.set(account.id, account);
    return account;
  }

  private uniqueId(generate: () => string): string {
    for (;;) {
      const id = generate();
      if (!this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }
}
