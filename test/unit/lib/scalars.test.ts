// The shared scalars refuse what is not exact or not real: float amounts, unknown currencies, impossible dates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type GraphQLScalarType, parseValue as parseLiteralText } from 'graphql';
import { FinGraphError } from '../../../lib/errors/index.js';
import { CurrencyCode, DateTime, Decimal } from '../../../lib/graphql/scalars.js';

/** Reads a value both ways a client can send it: as a variable, and written in the query as a string literal. */
function parseBothWays(scalar: GraphQLScalarType, value: string): { variable: unknown; literal: unknown } {
  return { variable: scalar.parseValue(value), literal: scalar.parseLiteral(parseLiteralText(JSON.stringify(value))) };
}

function assertBadUserInput(action: () => unknown, label: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof FinGraphError, `${label}: not a FinGraphError`);
    assert.equal(error.extensions.code, 'BAD_USER_INPUT', label);
    return true;
  });
}

function assertRefusedBothWays(scalar: GraphQLScalarType, value: string): void {
  assertBadUserInput(() => scalar.parseValue(value), `${value} as a variable`);
  assertBadUserInput(() => scalar.parseLiteral(parseLiteralText(JSON.stringify(value))), `${value} as a literal`);
}

describe('Decimal scalar', () => {
  it('accepts decimal strings unchanged', () => {
    assert.deepEqual(parseBothWays(Decimal, '1234.50'), { variable: '1234.50', literal: '1234.50' });
    assert.deepEqual(parseBothWays(Decimal, '-0.07'), { variable: '-0.07', literal: '-0.07' });
  });

  it('refuses float and integer literals, numbers as variables, and exponents', () => {
    assertBadUserInput(() => Decimal.parseLiteral(parseLiteralText('12.5')), 'float literal');
    assertBadUserInput(() => Decimal.parseLiteral(parseLiteralText('12')), 'int literal');
    assertBadUserInput(() => Decimal.parseValue(12.5), 'number variable');
    assertRefusedBothWays(Decimal, '1e3');
    assertRefusedBothWays(Decimal, '12.');
  });
});

describe('CurrencyCode scalar', () => {
  it('accepts known uppercase ISO 4217 codes', () => {
    assert.deepEqual(parseBothWays(CurrencyCode, 'GBP'), { variable: 'GBP', literal: 'GBP' });
    assert.deepEqual(parseBothWays(CurrencyCode, 'JPY'), { variable: 'JPY', literal: 'JPY' });
  });

  it('refuses lowercase and unknown codes', () => {
    assertRefusedBothWays(CurrencyCode, 'usd');
    assertRefusedBothWays(CurrencyCode, 'XYZ');
    assertBadUserInput(() => CurrencyCode.parseLiteral(parseLiteralText('GBP')), 'enum-like literal');
  });
});

describe('DateTime scalar', () => {
  it('accepts times in UTC or with an offset and normalises them to UTC ISO 8601', () => {
    assert.deepEqual(parseBothWays(DateTime, '2026-11-24T09:30:00Z'), {
      variable: '2026-11-24T09:30:00.000Z',
      literal: '2026-11-24T09:30:00.000Z',
    });
    assert.deepEqual(parseBothWays(DateTime, '2026-11-24T09:30:00+01:00'), {
      variable: '2026-11-24T08:30:00.000Z',
      literal: '2026-11-24T08:30:00.000Z',
    });
    // an offset may move the instant into another day, month or year: the calendar check is on what was written
    assert.equal(DateTime.parseValue('2027-01-01T00:30:00+01:00'), '2026-12-31T23:30:00.000Z');
    assert.equal(DateTime.parseValue('2028-02-29T23:00:00-02:00'), '2028-03-01T01:00:00.000Z');
  });

  it('refuses impossible dates and times instead of rolling them over', () => {
    for (const impossible of [
      '2026-02-30T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-01-01T00:00:60Z',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01T00:00:00+01:60',
    ]) {
      assertRefusedBothWays(DateTime, impossible);
    }
  });

  it('refuses a time without a time zone, and a bare date', () => {
    assertRefusedBothWays(DateTime, '2026-11-24T09:30:00');
    assertRefusedBothWays(DateTime, '2026-11-24');
  });
});
