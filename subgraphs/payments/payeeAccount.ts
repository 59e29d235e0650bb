// The checks a receiving bank would make of a payee's account details before a payment is sent: an IBAN against the
// IBAN registry's length and BBAN format for its country (through ibantools, which carries the registry), SEPA reach
// for SEPA credit transfers, a BIC's shape and country, and an ABA routing number's Federal Reserve prefix and check
// digit. Each answers with the reason a person can act on, or null when the details are acceptable.
import { extractBIC, isSEPACountry, isValidBIC, isValidIBAN } from 'ibantools';

/**
 * Territories that are their own country in a BIC but use another country's IBANs: French overseas departments and
 * collectivities use FR IBANs, the Crown Dependencies GB ones and the Åland Islands FI ones. Anything else must match.
 */
const bicCountriesUsingIbanOf: Readonly<Record<string, readonly string[]>> = {
  FR: ['GF', 'GP', 'MQ', 'RE', 'YT', 'PM', 'BL', 'MF'],
  GB: ['JE', 'GG', 'IM'],
  FI: ['AX'],
};

/** An IBAN in electronic form (no spaces, upper case) valid for its country: length, BBAN format and mod-97. */
export function isIban(value: string): boolean {
  return /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(value) && isValidIBAN(value);
}

/** Why an IBAN cannot receive a SEPA credit transfer, or null when it can. */
export function sepaIbanProblem(iban: string): string | null {
  if (!isIban(iban)) {
    return 'SEPA credit transfers need a valid IBAN: the length and account format of its country, and its mod-97 check';
  }
  const country = iban.slice(0, 2);
  if (!isSEPACountry(country)) return `SEPA credit transfers reach SEPA-scheme countries only; ${country} is not one`;
  return null;
}

/** Why a BIC (ISO 9362) is not acceptable beside this IBAN, or null when it is. */
export function bicProblem(bic: string, iban: string): string | null {
  if (!/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic) || !isValidBIC(bic)) {
    return 'A BIC has 8 or 11 characters: a 4-letter bank code, a country code, a location and an optional branch';
  }
  const bicCountry = extractBIC(bic).countryCode ?? '';
  const ibanCountry = iban.slice(0, 2);
  if (bicCountry !== ibanCountry && !(bicCountriesUsingIbanOf[ibanCountry] ?? []).includes(bicCountry)) {
    return `The BIC belongs to a bank in ${bicCountry}, but the IBAN to an account in ${ibanCountry}`;
  }
  return null;
}

/**
 * Federal Reserve routing symbols: 00 (the US Government), 01–12 (the twelve Federal Reserve districts), 21–32 (thrift
 * institutions of those districts), 61–72 (electronic transactions) and 80 (traveller's cheques). Anything else, and a
 * number of nothing but zeros, is not a routing number although its check digit may add up.
 */
function hasFederalReservePrefix(value: string): boolean {
  const prefix = Number(value.slice(0, 2));
  return prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80;
}

/** ABA routing number: 9 digits, a Federal Reserve prefix, and 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10). */
export function isRoutingNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value) || /^0+$/.test(value) || !hasFederalReservePrefix(value)) return false;
  const weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
  return [...value].reduce((sum, digit, index) => sum + Number(digit) * (weights[index] as number), 0) % 10 === 0;
}
