// The seeded world as plain data, independent of any wire format: each provider module renders it its own way.
import type { CurrencyCode } from './money.js';
import type { Clock } from './time.js';

export const tenantIds = ['acme', 'globex'] as const;
export type TenantId = (typeof tenantIds)[number];

export const openBankingBanks = ['northwind', 'albion'] as const;
export type OpenBankingBank = (typeof openBankingBanks)[number];

export const coreBanks = ['lakeside', 'pacific'] as const;
export type CoreBank = (typeof coreBanks)[number];

export const bankIds = [...openBankingBanks, ...coreBanks] as const;
export type BankId = OpenBankingBank | CoreBank;

export type OwnerKind = 'customer' | 'organisation';
export type Product = 'current' | 'savings' | 'money_market';

export interface SeedAccount {
  /** Open Banking AccountId (UUID-shaped) or core banking `acct_…` id. */
  readonly id: string;
  readonly bank: BankId;
  readonly tenant: TenantId;
  readonly ownerKind: OwnerKind;
  readonly ownerId: string;
  readonly holderName: string;
  readonly currency: CurrencyCode;
  readonly product: Product;
  readonly nickname: string;
  /** Opening time (ms); accounts opened inside the history window start from a zero balance. */
  openedAt: number;
  readonly accountNumber: string;
  /** UK sort code, six digits (GBP accounts at the Open Banking banks). */
  readonly sortCode?: string;
  /** IBAN for non-GBP accounts at the Open Banking banks. */
  readonly iban?: string;
  /** ABA routing number at the core banks. */
  readonly routingNumber?: string;
  /** The core bank's customer id owning this account. */
  readonly bankCustomerId?: string;
}

export interface SeedConsent {
  readonly id: string;
  readonly bank: OpenBankingBank;
  readonly tenant: TenantId;
  readonly ownerId: string;
  readonly accessToken: string;
  createdAt: number;
  /** Seeded ExpirationDateTime (ms); the control API may override it at run time. */
  expiresAt: number;
  readonly accountIds: string[];
}

export interface SeedBankCustomer {
  readonly id: string;
  readonly bank: CoreBank;
  readonly tenant: TenantId;
  readonly ownerId: string;
  readonly accountIds: string[];
}

export type SeedBankLink =
  | { readonly type: 'open_banking'; readonly bank: OpenBankingBank; readonly consent: SeedConsent }
  | { readonly type: 'core_banking'; readonly bank: CoreBank; readonly bankCustomer: SeedBankCustomer };

export interface SeedCustomer {
  readonly id: string;
  readonly tenant: TenantId;
  readonly displayName: string;
  readonly email: string;
  /** Unix seconds. */
  readonly created: number;
  readonly links: SeedBankLink[];
  /** Personal data, held by the KYC provider's applicant (the directory only links to it). */
  readonly person: SeedPerson;
  /** The customer's identity verification at the KYC provider. */
  readonly kyc: SeedKyc;
}

export type PersonCountry = 'GB' | 'US';

export interface SeedAddress {
  readonly buildingNumber: string;
  readonly street: string;
  /** A flat or apartment, for some. */
  readonly flatNumber: string | null;
  readonly town: string;
  /** A US state code; null in the UK. */
  readonly state: string | null;
  readonly postcode: string;
  readonly country: PersonCountry;
}

export interface SeedPerson {
  readonly firstName: string;
  readonly lastName: string;
  /** YYYY-MM-DD. */
  readonly dateOfBirth: string;
  /** E.164, from the ranges reserved for fiction (+44 7700 900xxx, +1 NXX 555 01xx). */
  readonly phone: string;
  /** Where the customer lives: the US for customers of the US core banks, the UK otherwise. */
  readonly country: PersonCountry;
  /** A US SSN ("123-45-6789") or a UK Unique Taxpayer Reference (ten digits). */
  readonly taxId: { readonly type: 'ssn' | 'tax_id'; readonly value: string };
  readonly address: SeedAddress;
}

/** How the customer's seeded check ends: most pass, some need review, a few are still running. */
export type KycOutcome = 'clear' | 'consider' | 'in_progress';
export const kycReportNames = ['document', 'facial_similarity_photo', 'watchlist_standard'] as const;
export type KycReportName = (typeof kycReportNames)[number];

export interface SeedKyc {
  /** Onfido-style applicant id (UUID). */
  readonly applicantId: string;
  /** When the applicant was created (ms). */
  readonly applicantCreatedAt: number;
  readonly checkId: string;
  /** When the check was started (ms). */
  readonly checkCreatedAt: number;
  /** Mutable only while the world is built (guaranteeTestableCases). */
  outcome: KycOutcome;
  /** One report id per report name, in kycReportNames order. */
  readonly reportIds: readonly string[];
  /** For a "consider" outcome: the report that asks for review. */
  considerReport: KycReportName | null;
}

export interface SeedOrganisation {
  readonly id: string;
  readonly tenant: TenantId;
  readonly name: string;
  readonly links: SeedBankLink[];
}

export interface World {
  readonly seed: string;
  readonly clock: Clock;
  /** Each tenant's customers, ordered by id. */
  readonly customers: ReadonlyMap<TenantId, readonly SeedCustomer[]>;
  readonly customerById: ReadonlyMap<string, SeedCustomer>;
  readonly organisations: ReadonlyMap<TenantId, SeedOrganisation>;
  readonly accounts: ReadonlyMap<string, SeedAccount>;
  readonly consents: ReadonlyMap<string, SeedConsent>;
  readonly consentByToken: ReadonlyMap<string, SeedConsent>;
  readonly bankCustomers: ReadonlyMap<string, SeedBankCustomer>;
}
