// Exact money: parsing, formatting to the currency's decimals, and conversion with the documented rounding rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  add,
  type CurrencyCode,
  convert,
  crossRate,
  formatAmount,
  MoneyFormatError,
  moneyFromDecimal,
  moneyFromMinor,
  parseCurrencyCode,
  type ReferenceRates,
} from '../../../lib/money/index.js';

const USD = 'USD' as CurrencyCode;
const JPY = 'JPY' as CurrencyCode;
const GBP = 'GBP' as CurrencyCode;
const EUR = 'EUR' as CurrencyCode;
const KWD = 'KWD' as CurrencyCode;

describe('money', () => {
  it('parses decimal strings into exact minor units and formats them back with the currency decimals', () => {
    assert.equal(moneyFromDecimal('12.5', USD).minor, 1250n);
    assert.equal(formatAmount(moneyFromDecimal('12.5', USD)), '12.50');
    assert.equal(formatAmount(moneyFromMinor(1250, JPY)), '1250');
    assert.equal(formatAmount(moneyFromMinor(-7, GBP)), '-0.07');
    assert.equal(formatAmount(moneyFromMinor(5, KWD)), '0.005');
    assert.equal(formatAmount(moneyFromDecimal('90071992547409931234.99', USD)), '90071992547409931234.99');
  });

  it('accepts trailing zeros past the currency decimals, as Open Banking sends them', () => {
    assert.equal(moneyFromDecimal('12.500', GBP).minor, 1250n);
    assert.equal(moneyFromDecimal('12.50000', GBP).minor, 1250n);
    assert.equal(moneyFromDecimal('1250.00', JPY).minor, 1250n);
    assert.equal(moneyFromDecimal('-0.07000', GBP).minor, -7n);
    assert.equal(formatAmount(moneyFromDecimal('1250.00', JPY)), '1250');
  });

  it('refuses non-zero digits past the currency decimals, instead of rounding', () => {
    assert.throws(() => moneyFromDecimal('1.005', GBP), MoneyFormatError);
    assert.throws(() => moneyFromDecimal('1.00001', GBP), MoneyFormatError);
    assert.throws(() => moneyFromDecimal('1.5', JPY), MoneyFormatError);
    assert.throws(() => moneyFromDecimal('1250.01', JPY), MoneyFormatError);
    assert.throws(() => moneyFromDecimal('1e3', USD), MoneyFormatError);
    assert.throws(() => moneyFromMinor(0.5, USD), MoneyFormatError);
  });

  it('adds exactly where a float would drift', () => {
    let total = moneyFromMinor(0, USD);
    for (let i = 0; i < 10; i += 1) total = add(total, moneyFromDecimal('0.10', USD));
    assert.equal(formatAmount(total), '1.00');
    assert.throws(() => add(moneyFromMinor(1, USD), moneyFromMinor(1, GBP)));
  });

  it('reads currency codes in any case and refuses unknown ones', () => {
    assert.equal(parseCurrencyCode('usd'), 'USD');
    assert.equal(parseCurrencyCode('XXX'), undefined);
  });
});

describe('conversion', () => {
  const rates: ReferenceRates = {
    base: EUR,
    publishedOn: '2026-11-20',
    perBase: new Map([
      [USD, '1.0871'],
      [GBP, '0.8412'],
      [JPY, '161.95'],
    ]),
  };

  it('derives cross rates from EUR-based quotes, rounded to 12 significant digits half to even', () => {
    assert.equal(crossRate(rates, USD, USD), '1');
    assert.equal(crossRate(rates, EUR, USD), '1.0871');
    // Expected values computed independently with Python's decimal module (prec 60, then 12 digits half-even).
    assert.equal(crossRate(rates, USD, EUR), '0.919878576028');
    assert.equal(crossRate(rates, GBP, USD), '1.29232049453');
    assert.equal(crossRate(rates, JPY, USD), '0.00671256560667');
  });

  it('rounds converted amounts half to even at the target minor unit', () => {
    // 0.05 USD × 0.5 = 0.025 → 0.02 (even), 0.15 × 0.5 = 0.075 → 0.08 (even)
    assert.equal(formatAmount(convert(moneyFromDecimal('0.05', USD), '0.5', GBP)), '0.02');
    assert.equal(formatAmount(convert(moneyFromDecimal('0.15', USD), '0.5', GBP)), '0.08');
    // JPY has no decimals: 1250 JPY at 0.00671256560667 = 8.3907... USD
    assert.equal(formatAmount(convert(moneyFromMinor(1250, JPY), '0.00671256560667', USD)), '8.39');
    // and into JPY: 10.00 USD × 148.97 = 1489.7 → 1490
    assert.equal(formatAmount(convert(moneyFromDecimal('10.00', USD), '148.97', JPY)), '1490');
  });
});
