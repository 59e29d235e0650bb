// Exact money. Amounts are held as bigint minor units of their currency (cents, pence, yen); decimal strings exist only
// at the edges (upstream payloads, GraphQL). Nothing here ever touches a binary float.
import { type CurrencyCode, minorUnitExponent } from './currency.js';

export interface Money {
  readonly minor: bigint;
  readonly currency: CurrencyCode;
}

const decimalPattern = /^(-)?(\d+)(?:\.(\d+))?$/;

export class MoneyFormatError extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(input)}: ${reason}`);
    this.name = 'MoneyFormatError';
  }
}

/**
 * Parses a decimal string into exact minor units. Open Banking amounts may carry up to 5 decimals, so trailing zeros
 * past the currency's exponent ("12.500" GBP, "1250.00" JPY) are exact and accepted. A non-zero digit there is an
 * error, never a rounding: an upstream or client that sends "1.005" GBP has sent something wrong.
 */
export function moneyFromDecimal(amount: string, currency: CurrencyCode): Money {
  const match = decimalPattern.exec(amount);
  if (!match) throw new MoneyFormatError(amount, 'not a decimal number');
  const [, sign, whole, fraction = ''] = match;
  const exponent = minorUnitExponent(currency);
  if (/[1-9]/.test(fraction.slice(exponent))) {
    throw new MoneyFormatError(amount, `${currency} has ${exponent} decimal places`);
  }
  const minor = BigInt(`${whole}${fraction.slice(0, exponent).padEnd(exponent, '0')}`);
  return { minor: sign ? -minor : minor, currency };
}

export function moneyFromMinor(minor: bigint | number, currency: CurrencyCode): Money {
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
    throw new MoneyFormatError(String(minor), 'minor units must be a safe integer');
  }
  return { minor: BigInt(minor), currency };
}

/** The decimal string with exactly the currency's number of decimals: "12.50" USD, "1250" JPY, "-0.07" GBP. */
export function formatAmount(money: Money): string {
  const exponent = minorUnitExponent(money.currency);
  const negative = money.minor < 0n;
  const digits = (negative ? -money.minor : money.minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

export function zero(currency: CurrencyCode): Money {
  return { minor: 0n, currency };
}

export function add(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new Error(`cannot add ${a.currency} to ${b.currency}`);
  return { minor: a.minor + b.minor, currency: a.currency };
}

export function negate(a: Money): Money {
  return { minor: -a.minor, currency: a.currency };
}

export function sum(currency: CurrencyCode, amounts: Iterable<Money>): Money {
  let total = zero(currency);
  for (const amount of amounts) total = add(total, amount);
  return total;
}
