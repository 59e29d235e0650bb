// Fixed euro reference rates (late-2025 levels, written with the ECB's own number of digits per currency) and the
// TARGET calendar that decides which day's file is current.
import { dayMs, dayOf } from '../seed/time.js';

/** Units of each currency per euro, in the ECB file's order. Covers every currency the seeded accounts use. */
export const euroRates: readonly (readonly [currency: string, rate: string])[] = [
  ['USD', '1.1554'],
  ['JPY', '180.62'],
  ['CZK', '24.182'],
  ['DKK', '7.4690'],
  ['GBP', '0.88050'],
  ['HUF', '384.20'],
  ['PLN', '4.2350'],
  ['RON', '5.0865'],
  ['SEK', '10.9780'],
  ['CHF', '0.9312'],
  ['ISK', '147.40'],
  ['NOK', '11.7300'],
  ['TRY', '48.9812'],
  ['AUD', '1.7750'],
  ['BRL', '6.1601'],
  ['CAD', '1.6270'],
  ['CNY', '8.1990'],
  ['HKD', '8.9922'],
  ['IDR', '19280.50'],
  ['ILS', '3.7662'],
  ['INR', '103.3255'],
  ['KRW', '1698.41'],
  ['MXN', '21.2510'],
  ['MYR', '4.7820'],
  ['NZD', '2.0460'],
  ['PHP', '68.057'],
  ['SGD', '1.5039'],
  ['THB', '37.361'],
  ['ZAR', '19.8850'],
];

/**
 * The last TARGET business day on or before `day` (YYYY-MM-DD): the ECB publishes no rates at weekends, on New Year's
 * Day, Good Friday, Easter Monday, 1 May, or 25 and 26 December.
 */
export function lastBusinessDay(day: string): string {
  let ms = Date.parse(`${day}T00:00:00Z`);
  while (!isTargetBusinessDay(ms)) ms -= dayMs;
  return dayOf(ms);
}

function isTargetBusinessDay(ms: number): boolean {
  const date = new Date(ms);
  const weekday = date.getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  const monthDay = dayOf(ms).slice(5);
  if (['01-01', '05-01', '12-25', '12-26'].includes(monthDay)) return false;
  const easter = easterSunday(date.getUTCFullYear());
  return ms !== easter - 2 * dayMs && ms !== easter + dayMs;
}

/** Easter Sunday (00:00 UTC) in the Gregorian calendar, by the anonymous Gregorian algorithm. */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const dayOfMonth = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, dayOfMonth);
}
