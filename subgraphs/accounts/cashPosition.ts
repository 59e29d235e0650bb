// The organisation's cash position: every connected bank read in parallel under its own deadline, summed per
// currency in exact minor units, then converted once per currency into the reporting currency (see
// lib/money/conversion.ts for the rounding rule). A bank that fails is reported, not fatal: the rest is still summed.
import { badUserInput, ErrorCode, FinGraphError, upstreamTimeout, upstreamUnavailable } from '../../lib/errors/index.js';
import {
  add,
  type CurrencyCode,
  convert,
  crossRate,
  MissingRateError,
  type Money,
  type Rate,
  type ReferenceRates,
  sum,
  zero,
} from '../../lib/money/index.js';
import type { Account, BankLink, Institution } from './domain.js';
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
  /** The error served at this bank's `total`: the bank could not be read, or one of its currencies not converted. */
  readonly error?: FinGraphError;
}

export interface CurrencyCash {
  readonly currency: CurrencyCode;
  readonly native: Money;
  /** Absent when no rate could be had; `error` then says why. */
  readonly converted?: Money;
  readonly rate?: Rate;
  readonly error?: FinGraphError;
}

export interface CashPosition {
  readonly asOf: string;
  readonly total: Money;
  readonly complete: boolean;
  readonly byInstitution: readonly InstitutionCash[];
  readonly byCurrency: readonly CurrencyCash[];
  /** Banks the organisation is linked to that FinGraph has no connector for. */
  readonly unknownInstitutions: readonly string[];
}

interface BankHoldings {
  readonly byCurrency: Map<CurrencyCode, Money>;
  readonly accounts: readonly Account[];
  readonly oldestAsOf: string | undefined;
}

/** The ECB quotes against EUR; checking EUR into the reporting currency tells whether the latter is quoted at all. */
const EUR_BASE = 'EUR' as CurrencyCode;

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

/** Every organisation link at one bank (there may be several consents), all of which must be read. */
async function readBank(loaders: AccountsLoaders, links: readonly BankLink[], institutionId: string): Promise<BankHoldings> {
  const listed = await loaders.accountsAt.loadMany(links.map((link) => ({ ownerId: ORGANISATION_OWNER, link })));
  const failure = listed.find((entry): entry is Error => entry instanceof Error);
  if (failure) throw failure;
  const accounts = (listed as Account[][]).flat();
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
  const links = await loaders.links(ORGANISATION_OWNER);
  // Rates are fetched alongside the banks, not before them: the position waits for the slowest of all, not their sum.
  const ratesRead = options.rates().then(
    (rates) => ({ rates }),
    (error: unknown) => ({ error: asFinGraphError(error, 'ecb') }),
  );

  const connected = options.institutions.filter((institution) => links.some((link) => link.institutionId === institution.id));
  // A link to a bank FinGraph has no connector for cannot be read: the position is incomplete, and says so.
  const unknownInstitutions = [...new Set(links.map((link) => link.institutionId))].filter(
    (id) => !options.institutions.some((institution) => institution.id === id),
  );
  const outcomes = await Promise.allSettled(
    connected.map((institution) =>
      withDeadline(
        readBank(
          loaders,
          links.filter((link) => link.institutionId === institution.id),
          institution.id,
        ),
        options.bankDeadlineMs,
        institution.id,
      ),
    ),
  );

  const ratesOutcome = await ratesRead;
  /** The rate into the reporting currency, or the error that keeps this currency from being converted. */
  const rateFor = (currency: CurrencyCode): { rate: Rate } | { error: FinGraphError } => {
    if (currency === reportingCurrency) return { rate: '1' };
    if ('error' in ratesOutcome) return ratesOutcome;
    try {
      return { rate: crossRate(ratesOutcome.rates, currency, reportingCurrency) };
    } catch (error) {
      if (error instanceof MissingRateError && error.currency === reportingCurrency) {
        throw badUserInput(`No reference rate is published for ${reportingCurrency}`, { argument: 'reportingCurrency' });
      }
      return { error: new FinGraphError(ErrorCode.UPSTREAM_UNAVAILABLE, `No reference rate for ${currency}`, { provider: 'ecb' }) };
    }
  };
  if ('rates' in ratesOutcome) rateFor(EUR_BASE);

  const nativeTotals = new Map<CurrencyCode, Money>();
  const byInstitution: InstitutionCash[] = outcomes.map((outcome, index) => {
    const institution = connected[index] as Institution;
    if (outcome.status === 'rejected') {
      const error = asFinGraphError(outcome.reason, institution.id);
      return { institution, status: statusFor[error.code] ?? 'UNAVAILABLE', error };
    }
    const holdings = outcome.value;
    const converted: Money[] = [];
    let conversionError: FinGraphError | undefined;
    for (const [currency, amount] of holdings.byCurrency) {
      nativeTotals.set(currency, add(nativeTotals.get(currency) ?? zero(currency), amount));
      const rate = rateFor(currency);
      if ('rate' in rate) converted.push(convert(amount, rate.rate, reportingCurrency));
      else conversionError ??= rate.error;
    }
    return {
      institution,
      status: 'OK',
      accountCount: holdings.accounts.length,
      accounts: holdings.accounts,
      // A bank total that silently left out a currency would understate it: no total rather than a wrong one.
      ...(conversionError ? { error: conversionError } : { total: sum(reportingCurrency, converted) }),
      ...(holdings.oldestAsOf ? { asOf: holdings.oldestAsOf } : {}),
    };
  });

  const byCurrency: CurrencyCash[] = [...nativeTotals.values()]
    .sort((a, b) => (a.currency === reportingCurrency ? -1 : b.currency === reportingCurrency ? 1 : a.currency.localeCompare(b.currency)))
    .map((native) => {
      const rate = rateFor(native.currency);
      return 'rate' in rate
        ? { currency: native.currency, native, rate: rate.rate, converted: convert(native, rate.rate, reportingCurrency) }
        : { currency: native.currency, native, error: rate.error };
    });

  const asOfs = byInstitution.flatMap((entry) => (entry.asOf ? [entry.asOf] : [])).sort();
  return {
    asOf: asOfs[0] ?? (options.now?.() ?? new Date()).toISOString(),
    total: sum(
      reportingCurrency,
      byCurrency.flatMap((entry) => (entry.converted ? [entry.converted] : [])),
    ),
    complete:
      byInstitution.every((entry) => entry.status === 'OK' && !entry.error) &&
      byCurrency.every((entry) => !entry.error) &&
      unknownInstitutions.length === 0,
    unknownInstitutions,
    byInstitution,
    byCurrency,
  };
}
