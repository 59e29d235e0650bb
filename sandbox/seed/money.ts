// Amounts are integer minor units from generation to the wire; this turns them into the decimal strings Open Banking
// sends, with exactly the currency's ISO 4217 number of decimals and no float in between.

export type CurrencyCode = 'GBP' | 'USD' | 'EUR' | 'JPY';

export const minorUnitDigits: Readonly<Record<CurrencyCode, number>> = { GBP: 2, USD: 2, EUR: 2, JPY: 0 };

/** "1234.50" for 123450 GBP minor units, "1234" for 1234 JPY; negative amounts keep their sign. */
export function formatMinor(minor: number, currency: CurrencyCode): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`formatMinor: ${minor} is not a safe integer`);
  const digits = minorUnitDigits[currency];
  const sign = minor < 0 ? '-' : '';
  const text = Math.abs(minor).toString();
  if (digits === 0) return `${sign}${text}`;
  const padded = text.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/**
 * Seeded amounts are drawn in "cents" of a dollar-like currency; this rescales them for currencies whose minor unit is
 * worth a different amount (one cent is about 1.5 yen), so a JPY account moves amounts of the same real size.
 */
export function fromCents(cents: number, currency: CurrencyCode): number {
  return currency === 'JPY' ? Math.round((cents * 3) / 2) : cents;
}
