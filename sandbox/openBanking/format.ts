// Renders seeded accounts, balances, transactions and consents as OBIE v3.1 Account and Transaction resources.
import type { ConsentState } from '../consents.js';
import type { Ledger, SeedTransaction } from '../seed/ledger.js';
import { formatMinor } from '../seed/money.js';
import { type Clock, dayOf, obDateTime } from '../seed/time.js';
import type { SeedAccount, SeedConsent } from '../seed/types.js';

export const consentPermissions = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsBasic',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
  'ReadTransactionsDetail',
] as const;

export function accountJson(account: SeedAccount) {
  const scheme = account.iban
    ? { SchemeName: 'UK.OBIE.IBAN', Identification: account.iban, Name: account.holderName }
    : {
        SchemeName: 'UK.OBIE.SortCodeAccountNumber',
        Identification: `${account.sortCode ?? ''}${account.accountNumber}`,
        Name: account.holderName,
      };
  return {
    AccountId: account.id,
    Status: 'Enabled',
    StatusUpdateDateTime: obDateTime(account.openedAt),
    Currency: account.currency,
    AccountType: account.ownerKind === 'organisation' ? 'Business' : 'Personal',
    AccountSubType: account.product === 'current' ? 'CurrentAccount' : 'Savings',
    Nickname: account.nickname,
    OpeningDate: obDateTime(account.openedAt),
    Account: [scheme],
  };
}

function amountJson(minor: number, account: SeedAccount) {
  return {
    Amount: { Amount: formatMinor(Math.abs(minor), account.currency), Currency: account.currency },
    CreditDebitIndicator: minor < 0 ? 'Debit' : 'Credit',
  };
}

export function balancesJson(account: SeedAccount, ledger: Ledger, clock: Clock) {
  const endOfPreviousDay = Date.parse(`${dayOf(clock.anchorStart - 1)}T23:59:59Z`);
  const balance = (type: string, minor: number, at: number) => ({
    AccountId: account.id,
    ...amountJson(minor, account),
    Type: type,
    DateTime: obDateTime(at),
  });
  return [
    balance('InterimAvailable', ledger.booked + ledger.pending, clock.asOf),
    balance('InterimBooked', ledger.booked, clock.asOf),
    balance('ClosingBooked', ledger.closingBooked, endOfPreviousDay),
  ];
}

export function transactionJson(transaction: SeedTransaction, account: SeedAccount) {
  return {
    AccountId: account.id,
    TransactionId: transaction.id,
    TransactionReference: transaction.reference,
    ...amountJson(transaction.amountMinor, account),
    Status: transaction.pending ? 'Pending' : 'Booked',
    BookingDateTime: obDateTime(transaction.at),
    ValueDateTime: obDateTime(transaction.at),
    TransactionInformation: transaction.description,
  };
}

export function consentJson(consent: SeedConsent, state: ConsentState, clock: Clock) {
  const expiresAt = state.expiresAt(consent);
  return {
    ConsentId: consent.id,
    // v3.1 has no Expired status: an expired consent stays Authorised with an ExpirationDateTime in the past.
    Status: 'Authorised',
    CreationDateTime: obDateTime(consent.createdAt),
    StatusUpdateDateTime: obDateTime(consent.createdAt),
    Permissions: [...consentPermissions],
    ExpirationDateTime: obDateTime(expiresAt),
    TransactionFromDateTime: obDateTime(clock.windowStart),
    TransactionToDateTime: obDateTime(consent.expiresAt),
  };
}
