// The simulated calendar: everything seeded is placed relative to the anchor day, never to the wall clock, so a seed
// and an anchor give the same data on any day. Also the timestamp formats each provider uses on the wire.

export const dayMs = 86_400_000;
export const hourMs = 3_600_000;

/** How far back transaction history reaches, ending at `asOf`. */
export const historyDays = 90;

export interface Clock {
  /** The anchor day, YYYY-MM-DD. */
  readonly anchor: string;
  /** 00:00 UTC on the anchor day. */
  readonly anchorStart: number;
  /** The simulated "now" on the anchor day (12:00 UTC): balances are as of then and no transaction is later. */
  readonly asOf: number;
  /** `asOf` minus the history window: the earliest transaction. */
  readonly windowStart: number;
}

/** The day as YYYY-MM-DD if `text` is a real calendar date in that form, otherwise undefined. */
export function parseDay(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over into March; a round trip catches it.
  if (Number.isNaN(ms) || dayOf(ms) !== text) return undefined;
  return text;
}

export function createClock(anchor: string): Clock {
  const day = parseDay(anchor);
  if (day === undefined) throw new TypeError(`anchorDate: expected a date YYYY-MM-DD, got ${JSON.stringify(anchor)}`);
  const anchorStart = Date.parse(`${day}T00:00:00Z`);
  const asOf = anchorStart + 12 * hourMs;
  return { anchor: day, anchorStart, asOf, windowStart: asOf - historyDays * dayMs };
}

export function todayUtc(): string {
  return dayOf(Date.now());
}

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** ISO 8601 in UTC to the second, as the directory and the US core banks send it: 2026-11-24T12:00:00Z. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** ISO 8601 with an explicit offset, as Open Banking examples write ISODateTime: 2026-11-24T12:00:00+00:00. */
export function obDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/**
 * Parses a query-string timestamp: a date, or a date and time with optional seconds, fraction and offset (UTC when
 * no offset is given, as OBIE treats a local ISODateTime). Undefined when the text is not such a timestamp.
 */
export function parseTimestamp(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (!match) return undefined;
  const [, day, hours = '00', minutes = '00', seconds = '00', fraction = '', offset = 'Z'] = match;
  if (day === undefined || parseDay(day) === undefined) return undefined;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const ms = Date.parse(`${day}T${hours}:${minutes}:${seconds}${fraction.slice(0, 4)}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}
