// The scalars every subgraph shares: Decimal (exact, as a string), CurrencyCode (ISO 4217) and DateTime (ISO 8601).
// A float literal is never accepted as a Decimal: "12.5" must come as a string, so no client float reaches our maths.
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badUserInput } from '../errors/index.js';
import { formatAmount, isCurrencyCode, type Money } from '../money/index.js';

const decimalPattern = /^-?\d{1,30}(\.\d{1,30})?$/;
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

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

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !isoDateTime.test(value) || Number.isNaN(Date.parse(value))) {
    throw badUserInput('DateTime must be ISO 8601 with a time zone, such as "2026-11-24T09:30:00Z"');
  }
  return new Date(value).toISOString();
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
