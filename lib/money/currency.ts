// ISO 4217 currency codes and their minor-unit exponents: the number of decimals every amount in that currency carries.

/** Exponents for the currencies FinGraph handles; a code missing here is refused as unknown. */
const exponents: Readonly<Record<string, number>> = {
  AUD: 2,
  BGN: 2,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  ISK: 0,
  JPY: 0,
  KRW: 0,
  MXN: 2,
  MYR: 2,
  NOK: 2,
  NZD: 2,
  PHP: 2,
  PLN: 2,
  RON: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TRY: 2,
  USD: 2,
  ZAR: 2,
  BHD: 3,
  KWD: 3,
  JOD: 3,
};

export type CurrencyCode = string & { readonly __brand: 'CurrencyCode' };

export function isCurrencyCode(value: string): value is CurrencyCode {
  return Object.hasOwn(exponents, value);
}

/** Accepts an ISO 4217 code in any case (upstreams such as US core banking send lowercase); returns it uppercase. */
export function parseCurrencyCode(value: string): CurrencyCode | undefined {
  const upper = value.toUpperCase();
  return isCurrencyCode(upper) ? upper : undefined;
}

export function minorUnitExponent(currency: CurrencyCode): number {
  return exponents[currency] as number;
}
