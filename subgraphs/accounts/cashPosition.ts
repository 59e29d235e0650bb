// The organisation's cash position: every connected bank read in parallel under its own deadline, summed per
// currency in exact minor units, then converted once per currency into the reporting currency (see
// lib/money/conversion.ts for the rounding rule). A bank that fails is reported, not fatal: the rest is still summed.
import { ErrorCode, FinGraphError, badUserInput, upstreamTimeout, upstreamUnavailable } from '../../lib/errors/index.js';
import {
  MissingRateError, add, convert, crossRate, sum, zero, type CurrencyCode, type Money, type Rate, type ReferenceRates,
} from '../../lib/money/index.js';
import type { Account, Institution } from './domain.js';
import { ORGANISATION_OWNER } from './domain.js';
import type { AccountsLoaders } from './loaders.js';

export type InstitutionStatus = 'OK' | 'UNAVAILABLE' | 'TIMEOUT' | 'CONSENT_REQUIRED';

export interface InstitutionCash {
  readonly institution: Institution;
  readonly status: InstitutionStatus;
  /** Present when status is OK. */
  readonly total?: Money;
  readonly accountCount?: number;
  readonly accounts?: readonly Account[];
  readonly asOf?: string;
  /** Present when status is not OK: the error served at this bank's `total`. */
  readonly error?: FinGraphError;
}

export interface CurrencyCash {
  readonly currency: CurrencyCode;
  readonly native: Money;
  readonly converted: Money;
  readonly rate: Rate;
}

export interface CashPosition {
  readonly asOf: string;
  readonly total: Money;
  readonly complete: boolean;
  readonly byInstitution: readonly InstitutionCash[];
  readonly byCurrency: readonly CurrencyCash[];
}

interface BankHoldings {
  readonly byCurrency: Map<CurrencyCode, Money>;
  readonly accounts: readonly Account[];
  readonly oldestAsOf: string | undefined;
}

const statusFor: Partial<Record<string, InstitutionStatus>> = {
  [ErrorCode.UPSTREAM_TIMEOUT]: 'TIMEOUT',
  [ErrorCode.CONSENT_REQUIRED]: 'CONSENT_REQUIRED',
};

/** Rejects with UPSTREAM_TIMEOUT when the whole read of one bank (accounts, then balances) overruns its deadline. */
function withDeadline<T>(work: Promise<T>, deadlineMs: number, provider: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(upstreamTimeout(provider)), deadlineMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

async function readBank(loaders: AccountsLoaders, institutionId: string): Promise<BankHoldings> {
  const link = (await loaders.links(ORGANISATION_OWNER)).find((entry) => entry.institutionId === institutionId);
  if (!link) throw upstreamUnavailable(institutionId);
  const accounts = await loaders.accountsAt.load({ ownerId: ORGANISATION_OWNER, link });
  const balances = await loaders.balance.loadMany(accounts);
  const byCurrency = new Map<CurrencyCode, Money>();
  let oldestAsOf: string | undefined;
  for (const [index, balance] of balances.entries()) {
    if (balance instanceof Error) throw balance;
    // An account the bank listed but gave no balance for cannot be summed honestly.
    if (!balance) throw upstreamUnavailable(institutionId);
    const { currency } = accounts[index] as Account;
    byCurrency.set(currency, add(byCurrency.get(currency) ?? zero(currency), balance.current));
    if (!oldestAsOf || balance.asOf < oldestAsOf) oldestAsOf = balance.asOf;
  }
  return { byCurrency, accounts, oldestAsOf };
}

function asFinGraphError(error: unknown, institutionId: string): FinGraphError {
  return error instanceof FinGraphError ? error : upstreamUnavailable(institutionId);
}

export async function computeCashPosition(options: {
  readonly loaders: AccountsLoaders;
  readonly institutions: readonly Institution[];
  readonly rates: () => Promise<ReferenceRates>;
  readonly reportingCurrency: CurrencyCode;
  readonly bankDeadlineMs: number;
  readonly now?: () => Date;
}): Promise<CashPosition> {
  const { loaders, reportingCurrency } = options;
  const [links, rates] = await Promise.all([loaders.links(ORGANISATION_OWNER), options.rates()]);
  const rateFor = (currency: CurrencyCode): Rate => {
    try {
      return crossRate(rates, currency, reportingCurrency);
    } catch (error) {
      if (error instanceof MissingRateError && error.currency === reportingCurrency) {
        throw badUserInput(`No reference rate is published for ${reportingCurrency}`, { argument: 'reportingCurrency' });
      }
      throw upstreamUnavailable('ecb');
    }
  };
  rateFor(reportingCurrency);

  const connected = options.institutions.filter((institution) => links.some((link) => link.institutionId === institution.id));
  const outcomes = await Promise.allSettled(connected.map((institution) =>
    withDeadline(readBank(loaders, institution.id), options.bankDeadlineMs, institution.id)));

  const nativeTotals = new Map<CurrencyCode, Money>();
  const byInstitution: InstitutionCash[] = outcomes.map((outcome, index) => {
    const institution = connected[index] as Institution;
    if (outcome.status === 'rejected') {
      const error = asFinGraphError(outcome.reason, institution.id);
      return { institution, status: statusFor[error.code] ?? 'UNAVAILABLE', error };
    }
    const holdings = outcome.value;
    for (const [currency, amount] of holdings.byCurrency) {
      nativeTotals.set(currency, add(nativeTotals.get(currency) ?? zero(currency), amount));
    }
    const total = sum(reportingCurrency, [...holdings.byCurrency.values()].map((amount) =>
      convert(amount, rateFor(amount.currency), reportingCurrency)));
    return { institution, status: 'OK', total, accountCount: holdings.accounts.length, accounts: holdings.accounts, ...(holdings.oldestAsOf ? { asOf: holdings.oldestAsOf } : {}) };
  });

  const byCurrency: CurrencyCash[] = [...nativeTotals.values()]
    .sort((a, b) => (a.currency === reportingCurrency ? -1 : b.currency === reportingCurrency ? 1 : a.currency.localeCompare(b.currency)))
    .map((native) => {
      const rate = rateFor(native.currency);
      return { currency: native.currency, native, rate, converted: convert(native, rate, reportingCurrency) };
    });

  const asOfs = byInstitution.flatMap((entry) => (entry.asOf ? [entry.asOf] : [])).sort();
  return {
    asOf: asOfs[0] ?? (options.now?.() ?? new Date()).toISOString(),
    total: sum(reportingCurrency, byCurrency.map((entry) => entry.converted)),
    complete: byInstitution.every((entry) => entry.status === 'OK'),
    byInstitution,
    byCurrency,
  };
}
