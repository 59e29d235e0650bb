// Currency conversion with one documented rounding rule.
//
// Rule: a cross rate is rounded to RATE_SIGNIFICANT_DIGITS significant digits, half to even; that rounded rate is the
// one applied and the one reported (`rate`). The converted amount is native × rate, computed exactly, then rounded to
// the target currency's minor unit, half to even (banker's rounding, so that summing many conversions does not drift
// one way).
import { Decimal } from 'decimal.js';
import { type CurrencyCode, minorUnitExponent } from './currency.js';
import type { Money } from './money.js';

export const RATE_SIGNIFICANT_DIGITS = 12;

// Exponent limits high enough that toString() never switches to exponential notation for money or rates.
const Exact = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN, toExpPos: 1000, toExpNeg: -1000 });

/** A rate as an exact decimal string; "1" for a currency into itself. */
export type Rate = string;

/** Rates quoted against one base currency (ECB: EUR), as decimal strings: 1 base = rate units of the quoted currency. */
export interface ReferenceRates {
  readonly base: CurrencyCode;
  readonly publishedOn: string;
  readonly perBase: ReadonlyMap<CurrencyCode, string>;
}

export class MissingRateError extends Error {
  constructor(readonly currency: CurrencyCode) {
    super(`no reference rate for ${currency}`);
    this.name = 'MissingRateError';
  }
}

function perBase(rates: ReferenceRates, currency: CurrencyCode): Decimal {
  if (currency === rates.base) return new Exact(1);
  const quoted = rates.perBase.get(currency);
  if (quoted === undefined) throw new MissingRateError(currency);
  return new Exact(quoted);
}

/** The factor that turns an amount in `from` into `to`: to-per-base / from-per-base, rounded as documented. */
export function crossRate(rates: ReferenceRates, from: CurrencyCode, to: CurrencyCode): Rate {
  if (from === to) return '1';
  const exact = perBase(rates, to).div(perBase(rates, from));
  return exact.toSignificantDigits(RATE_SIGNIFICANT_DIGITS, Decimal.ROUND_HALF_EVEN).toString();
}

export function convert(amount: Money, rate: Rate, to: CurrencyCode): Money {
  const native = new Exact(amount.minor.toString()).div(new Exact(10).pow(minorUnitExponent(amount.currency)));
  const converted = native.times(new Exact(rate)).times(new Exact(10).pow(minorUnitExponent(to)));
  const minor = converted.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
  return { minor: BigInt(minor.toString()), currency: to };
}
