// The scalars every subgraph shares: Decimal (exact, as a string), CurrencyCode (ISO 4217) and DateTime (ISO 8601).
// A float literal is never accepted as a Decimal: "12.5" must come as a string, so no client float reaches our maths.
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badUserInput } from '../errors/index.js';
import { formatAmount, isCurrencyCode, type Money } from '../money/index.js';

const decimalPattern = /^-?\d{1,30}(\.\d{1,30})?$/;
const isoDateTime =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})T(?<hour>\d{2}):(?<minute>\d{2})(?::(?<second>\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](?<offsetHour>\d{2}):(?<offsetMinute>\d{2}))$/;

function stringLiteral(node: ValueNode, scalar: string): string {
  if (node.kind !== Kind.STRING) throw badUserInput(`${scalar} must be given as a string`);
  return node.value;
}

function parseDecimal(value: unknown): string {
  if (typeof value !== 'string' || !decimalPattern.test(value)) {
    throw badUserInput('Decimal must be a string such as "1234.50"');
  }
  return value;
}

function parseCurrency(value: unknown): string {
  if (typeof value !== 'string' || !isCurrencyCode(value)) throw badUserInput('CurrencyCode must be a known ISO 4217 code such as "GBP"');
  return value;
}

/**
 * Whether the written fields name a real moment. Date rolls impossible fields over ("2026-02-30" becomes 2 March,
 * "T24:00" the next day), so the date and time are rebuilt in UTC and must come back unchanged; the offset is checked
 * apart, since it only shifts the instant. setUTCFullYear rather than Date.UTC, which reads years 0–99 as 1900–1999.
 */
function isRealDateTime(match: RegExpExecArray): boolean {
  const field = (name: string) => Number(match.groups?.[name] ?? 0);
  const built = new Date(0);
  built.setUTCFullYear(field('year'), field('month') - 1, field('day'));
  built.setUTCHours(field('hour'), field('minute'), field('second'));
  return (
    built.getUTCFullYear() === field('year') &&
    built.getUTCMonth() === field('month') - 1 &&
    built.getUTCDate() === field('day') &&
    built.getUTCHours() === field('hour') &&
    built.getUTCMinutes() === field('minute') &&
    built.getUTCSeconds() === field('second') &&
    field('offsetHour') <= 23 &&
    field('offsetMinute') <= 59
  );
}

function parseDateTime(value: unknown): string {
  const match = typeof value === 'string' ? isoDateTime.exec(value) : null;
  const instant = match ? Date.parse(match[0]) : Number.NaN;
  if (!match || Number.isNaN(instant) || !isRealDateTime(match)) {
    throw badUserInput('DateTime must be a real ISO 8601 date and time with a time zone, such as "2026-11-24T09:30:00Z"');
  }
  return new Date(instant).toISOString();
}

export const Decimal = new GraphQLScalarType({
  name: 'Decimal',
  serialize: (value) => parseDecimal(value),
  parseValue: parseDecimal,
  parseLiteral: (node) => parseDecimal(stringLiteral(node, 'Decimal')),
});

export const CurrencyCode = new GraphQLScalarType({
  name: 'CurrencyCode',
  serialize: (value) => parseCurrency(value),
  parseValue: parseCurrency,
  parseLiteral: (node) => parseCurrency(stringLiteral(node, 'CurrencyCode')),
});

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => parseDateTime(value),
  parseValue: parseDateTime,
  parseLiteral: (node) => parseDateTime(stringLiteral(node, 'DateTime')),
});

/** Money objects are held as exact minor units; only here do they become the contract's decimal strings. */
export const MoneyResolvers = {
  amount: (money: Money) => formatAmount(money),
  currency: (money: Money) => money.currency,
};
