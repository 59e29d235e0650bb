// Every rule a payment request must meet before anything moves, checked without any upstream call; each broken rule
// is BAD_USER_INPUT naming the input field (`extensions.field`). The rules that need the source account's currency
// (read from the transfer provider) are in initiate.ts and name their fields the same way.
import type { Principal } from '../../lib/auth/principal.js';
import { type AccountAddress, decodeAccountId } from '../../lib/domain/accountId.js';
import { badUserInput } from '../../lib/errors/index.js';
import {
  type CurrencyCode,
  formatAmount,
  type Money,
  MoneyFormatError,
  minorUnitExponent,
  moneyFromDecimal,
  parseCurrencyCode,
} from '../../lib/money/index.js';
import { debitableOwner } from './access.js';
import type { MaskedCounterparty, PaymentRail } from './domain.js';
import { bicProblem, isRoutingNumber, sepaIbanProblem } from './payeeAccount.js';

export interface InitiatePaymentInput {
  readonly idempotencyKey: string;
  readonly sourceAccountId: string;
  readonly amount: { readonly amount: string; readonly currency: string };
  readonly rail: PaymentRail;
  readonly counterparty: {
    readonly name: string;
    readonly accountNumber?: string | null;
    readonly routingNumber?: string | null;
    readonly sortCode?: string | null;
    readonly iban?: string | null;
    readonly bic?: string | null;
  };
  readonly reference?: string | null;
}

/** The payee's details in full, as the provider needs them; never stored or returned (see MaskedCounterparty). */
export interface CounterpartyDetails {
  readonly name: string;
  readonly accountNumber?: string;
  readonly routingNumber?: string;
  readonly sortCode?: string;
  readonly iban?: string;
  readonly bic?: string;
}

export interface PaymentRequest {
  readonly idempotencyKey: string;
  readonly sourceAccountId: string;
  readonly source: AccountAddress;
  readonly amount: Money;
  readonly rail: PaymentRail;
  readonly counterparty: CounterpartyDetails;
  readonly reference: string | null;
}

/**
 * What each rail accepts: its currencies, each with the largest single payment in major units of that currency. A
 * limit is per currency because one figure means very different sums (1,000,000 JPY is about 6,700 USD).
 */
export const railLimits: Readonly<Record<PaymentRail, Readonly<Partial<Record<string, bigint>>>>> = {
  ACH: { USD: 25_000n },
  WIRE: { USD: 1_000_000n, EUR: 1_000_000n, GBP: 1_000_000n, JPY: 150_000_000n },
  CARD: { USD: 10_000n, GBP: 10_000n, EUR: 10_000n },
  FASTER_PAYMENTS: { GBP: 1_000_000n },
  SEPA_CREDIT: { EUR: 100_000n },
};

/** The last digits of an account number, never more than four and never more than half of it. */
function maskedTail(value: string): string {
  return `••••${value.slice(-Math.min(4, Math.floor(value.length / 2)))}`;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;
const PRINTABLE = /^[\x20-\x7E]*$/;

const invalid = (field: string, message: string) => badUserInput(message, { field });

export function maskCounterparty(details: CounterpartyDetails): MaskedCounterparty {
  return {
    name: details.name,
    maskedAccountNumber: details.accountNumber ? maskedTail(details.accountNumber) : null,
    routingNumber: details.routingNumber ?? null,
    sortCode: details.sortCode ?? null,
    maskedIban: details.iban ? `${details.iban.slice(0, 4)}••••${details.iban.slice(-4)}` : null,
    bic: details.bic ?? null,
  };
}

function counterpartyFor(rail: PaymentRail, input: InitiatePaymentInput['counterparty']): CounterpartyDetails {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 140 || !PRINTABLE.test(name)) {
    throw invalid('counterparty.name', 'The counterparty name must be 1 to 140 printable characters');
  }
  const present = (value: string | null | undefined) => (value ?? '').replace(/[\s-]/g, '');
  switch (rail) {
    case 'ACH':
    case 'WIRE': {
      const accountNumber = present(input.accountNumber);
      const routingNumber = present(input.routingNumber);
      if (!/^\d{4,17}$/.test(accountNumber))
        throw invalid('counterparty.accountNumber', `${rail} needs the payee's account number (4 to 17 digits)`);
      if (!isRoutingNumber(routingNumber)) {
        throw invalid(
          'counterparty.routingNumber',
          `${rail} needs the payee's ABA routing number (9 digits, a Federal Reserve prefix and a valid check digit)`,
        );
      }
      return { name, accountNumber, routingNumber };
    }
    case 'FASTER_PAYMENTS': {
      const accountNumber = present(input.accountNumber);
      const sortCode = present(input.sortCode);
      if (!/^\d{8}$/.test(accountNumber))
        throw invalid('counterparty.accountNumber', "Faster Payments needs the payee's 8-digit account number");
      if (!/^\d{6}$/.test(sortCode)) throw invalid('counterparty.sortCode', "Faster Payments needs the payee's 6-digit sort code");
      return { name, accountNumber, sortCode };
    }
    case 'SEPA_CREDIT': {
      const iban = present(input.iban).toUpperCase();
      const ibanRefusal = sepaIbanProblem(iban);
      if (ibanRefusal) throw invalid('counterparty.iban', ibanRefusal);
      const bic = present(input.bic).toUpperCase();
      const bicRefusal = bic === '' ? null : bicProblem(bic, iban);
      if (bicRefusal) throw invalid('counterparty.bic', bicRefusal);
      return { name, iban, ...(bic ? { bic } : {}) };
    }
    case 'CARD':
      return { name };
  }
}

/**
 * May this principal debit the account? A customer only its own accounts; staff (with payments:write) only the
 * organisation's. Any other account, including one of another tenant or one that does not parse, is refused with the
 * same error, so that the answer says nothing about whether it exists.
 */
function sourceFor(principal: Principal, id: string): AccountAddress {
  const address = decodeAccountId(id);
  if (!address || address.tenant !== principal.tenant || address.ownerId !== debitableOwner(principal)) {
    throw invalid('sourceAccountId', 'The source account is not one you may debit');
  }
  return address;
}

export function validatePaymentInput(principal: Principal, input: InitiatePaymentInput): PaymentRequest {
  if (!IDEMPOTENCY_KEY.test(input.idempotencyKey)) {
    throw invalid('idempotencyKey', 'The idempotency key must be 8 to 128 characters: letters, digits, ".", "_", ":" or "-"');
  }
  const currency = parseCurrencyCode(input.amount.currency);
  if (!currency || currency !== input.amount.currency) throw invalid('amount.currency', 'Unknown currency');
  let amount: Money;
  try {
    amount = moneyFromDecimal(input.amount.amount, currency);
  } catch (error) {
    if (error instanceof MoneyFormatError)
      throw invalid('amount.amount', `The amount must be a decimal with at most ${minorUnitExponent(currency)} decimals for ${currency}`);
    throw error;
  }
  if (amount.minor <= 0n) throw invalid('amount.amount', 'The amount must be positive');
  const limits = railLimits[input.rail];
  const maxMajor = limits[currency];
  if (maxMajor === undefined) throw invalid('amount.currency', `${input.rail} carries ${Object.keys(limits).join(', ')} only`);
  const limit = maxMajor * 10n ** BigInt(minorUnitExponent(currency));
  if (amount.minor > limit) {
    throw invalid('amount.amount', `${input.rail} payments are limited to ${formatAmount({ minor: limit, currency })} ${currency}`);
  }
  const counterparty = counterpartyFor(input.rail, input.counterparty);
  const reference = input.reference ?? null;
  const maxReference = input.rail === 'FASTER_PAYMENTS' ? 18 : 140;
  if (reference !== null && (reference.length > maxReference || !PRINTABLE.test(reference))) {
    throw invalid('reference', `The reference must be at most ${maxReference} printable characters on ${input.rail}`);
  }
  const source = sourceFor(principal, input.sourceAccountId);
  return {
    idempotencyKey: input.idempotencyKey,
    sourceAccountId: input.sourceAccountId,
    source,
    amount,
    rail: input.rail,
    counterparty,
    reference,
  };
}

/** Checks that need the source account, once the provider has said what it holds. */
export function assertMatchesAccount(request: PaymentRequest, accountCurrency: CurrencyCode): void {
  if (request.amount.currency !== accountCurrency) {
    throw invalid('amount.currency', `The source account holds ${accountCurrency}`);
  }
}
