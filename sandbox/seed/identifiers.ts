// Bank identifiers that pass the real check-digit rules (IBAN mod 97, ABA routing checksum), so connectors that
// validate them see well-formed values.
import type { CoreBank, OpenBankingBank } from './types.js';

interface UkBankProfile {
  readonly name: string;
  /** The four-letter bank code inside a GB IBAN. */
  readonly ibanBankCode: string;
  /** The first four digits of the bank's sort codes. */
  readonly sortCodePrefix: string;
}

export const ukBanks: Readonly<Record<OpenBankingBank, UkBankProfile>> = {
  northwind: { name: 'Northwind Bank', ibanBankCode: 'NWND', sortCodePrefix: '3096' },
  albion: { name: 'Albion Bank', ibanBankCode: 'ALBN', sortCodePrefix: '2051' },
};

export const usBanks: Readonly<Record<CoreBank, { readonly name: string; readonly routingNumber: string }>> = {
  lakeside: { name: 'Lakeside Bank', routingNumber: withAbaCheckDigit('07400013') },
  pacific: { name: 'Pacific Trust', routingNumber: withAbaCheckDigit('32207060') },
};

/** Appends the ninth digit that makes 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) a multiple of ten. */
export function withAbaCheckDigit(eightDigits: string): string {
  const d = [...eightDigits].map(Number);
  const weighted =
    3 * ((d[0] ?? 0) + (d[3] ?? 0) + (d[6] ?? 0)) + 7 * ((d[1] ?? 0) + (d[4] ?? 0) + (d[7] ?? 0)) + (d[2] ?? 0) + (d[5] ?? 0);
  return `${eightDigits}${(10 - (weighted % 10)) % 10}`;
}

export function isValidAbaRoutingNumber(routing: string): boolean {
  return /^\d{9}$/.test(routing) && withAbaCheckDigit(routing.slice(0, 8)) === routing;
}

/** A GB IBAN for a sort code and account number at the bank, with ISO 13616 mod-97 check digits. */
export function gbIban(bankCode: string, sortCode: string, accountNumber: string): string {
  const bban = `${bankCode}${sortCode}${accountNumber}`;
  return `GB${ibanCheckDigits(bban, 'GB')}${bban}`;
}

export function isValidIban(iban: string): boolean {
  return /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban) && ibanRemainder(`${iban.slice(4)}${iban.slice(0, 4)}`) === 1n;
}

function ibanCheckDigits(bban: string, country: string): string {
  return (98n - ibanRemainder(`${bban}${country}00`)).toString().padStart(2, '0');
}

function ibanRemainder(rearranged: string): bigint {
  const numeric = [...rearranged].map((char) => (/[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char)).join('');
  return BigInt(numeric) % 97n;
}
