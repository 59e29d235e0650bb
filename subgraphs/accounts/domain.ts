// The accounts domain, one model for every bank dialect: connectors turn each upstream's format into these types.
import type { CurrencyCode, Money } from '../../lib/money/index.js';

export type InstitutionApi = 'UK_OPEN_BANKING' | 'US_CORE_BANKING';

export interface Institution {
  readonly id: string;
  readonly name: string;
  readonly country: string;
  readonly api: InstitutionApi;
}

export { ORGANISATION_OWNER, type OwnerId } from '../../lib/domain/accountId.js';

import type { OwnerId } from '../../lib/domain/accountId.js';

/** A connection between an owner and one bank: an Open Banking consent, or a customer record at a core bank. */
export type BankLink =
  | {
      readonly institutionId: string;
      readonly kind: 'open_banking';
      readonly consentId: string;
      readonly accessToken: string;
      readonly consentExpiresAt: string;
    }
  | { readonly institutionId: string; readonly kind: 'core_banking'; readonly bankCustomerId: string };

export interface CustomerRecord {
  readonly id: string;
  readonly displayName: string;
  readonly email: string;
  readonly bankLinks: readonly BankLink[];
}

export type AccountType = 'CURRENT' | 'CHECKING' | 'SAVINGS' | 'MONEY_MARKET';

export interface BankAccount {
  /** The bank's own id for the account. */
  readonly upstreamId: string;
  readonly type: AccountType;
  readonly currency: CurrencyCode;
  readonly nickname: string | null;
  readonly accountNumber: string;
}

/** Identifies one link: an owner may hold several consents (or customer records) at the same bank. */
export function linkKey(link: BankLink): string {
  return link.kind === 'open_banking'
    ? `${link.institutionId}|consent:${link.consentId}`
    : `${link.institutionId}|customer:${link.bankCustomerId}`;
}

/** A bank account as FinGraph serves it: the bank's account plus where it lives, whose it is and the link it is read through. */
export interface Account extends BankAccount {
  readonly id: string;
  readonly institutionId: string;
  readonly ownerId: OwnerId;
  readonly link: BankLink;
}

export interface Balance {
  readonly available: Money | null;
  readonly current: Money;
  /** The bank's timestamp for these figures. */
  readonly asOf: string;
}

export interface Transaction {
  readonly id: string;
  readonly amount: Money;
  readonly direction: 'CREDIT' | 'DEBIT';
  readonly status: 'BOOKED' | 'PENDING';
  readonly description: string | null;
  readonly bookedAt: string | null;
}

export interface TransactionPage {
  readonly transactions: readonly Transaction[];
  /** An opaque position at the bank to read the next page from; undefined on the last page. */
  readonly next: string | undefined;
}

export interface TransactionQuery {
  readonly bookedFrom: string | undefined;
  readonly bookedTo: string | undefined;
  /** How many the caller still wants; a connector may fetch more per page but need not fetch fewer. */
  readonly wanted: number;
}
