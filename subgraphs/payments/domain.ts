// The payments domain: a payment as FinGraph keeps it, whichever provider moves it. Connectors turn each provider's
// wire format into these types; the store keeps them; resolvers serve them.
import type { CurrencyCode } from '../../lib/money/index.js';
import type { PaymentStatus } from './statusMachine.js';

export const rails = ['ACH', 'WIRE', 'CARD', 'FASTER_PAYMENTS', 'SEPA_CREDIT'] as const;
export type PaymentRail = (typeof rails)[number];

export type ProviderId = 'processor' | 'transfers';

/** Where the payee's money goes, with nothing a client could not already see in full on a statement. */
export interface MaskedCounterparty {
  readonly name: string;
  /** "••••5678" */
  readonly maskedAccountNumber: string | null;
  readonly routingNumber: string | null;
  readonly sortCode: string | null;
  /** The country and check digits, then the last four: "DE89••••3000". */
  readonly maskedIban: string | null;
  readonly bic: string | null;
}

export interface StatusChange {
  readonly status: PaymentStatus;
  readonly at: string;
  /** What moved it: "initiation", "cancellation" or the provider event's type. */
  readonly source: string;
}

/** What never changes after initiation. */
export interface PaymentRecord {
  readonly id: string;
  readonly tenant: string;
  /** The source account's holder: a customer id, or ORGANISATION_OWNER. */
  readonly ownerId: string;
  readonly sourceAccountId: string;
  /** The principal (sub) who initiated it. */
  readonly initiatedBy: string;
  readonly rail: PaymentRail;
  /** Minor units as a decimal integer string (JSON has no bigint). */
  readonly amountMinor: string;
  readonly currency: CurrencyCode;
  readonly counterparty: MaskedCounterparty;
  readonly reference: string | null;
  readonly provider: ProviderId;
  readonly upstreamId: string;
  readonly createdAt: string;
}

export interface Payment extends PaymentRecord {
  readonly status: PaymentStatus;
  readonly updatedAt: string;
  readonly statusHistory: readonly StatusChange[];
}

/** A page of a payment listing, newest first; `next` is the position after the last one. */
export interface PaymentPage {
  readonly payments: readonly Payment[];
  readonly next: string | undefined;
}
