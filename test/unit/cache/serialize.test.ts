// Stored values: bigint money, Dates and the other values JSON would lose come back as they went in; what cannot is
// refused, not silently changed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromJsonText, parseEnvelope, SerializeError, serializeEnvelope, toJsonText } from '../../../lib/cache/serialize.js';

describe('cache serialisation', () => {
  it('round-trips bigint, Date, undefined slots and non-finite numbers', () => {
    const value = {
      balance: { minor: 123_456_789_012_345_678_901n, currency: 'GBP' },
      negative: -5n,
      asOf: new Date('2024-03-01T10:00:00.123Z'),
      list: [1n, null, undefined, 'x', [new Date(0)]],
      rates: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1],
      nested: { deeper: { flag: true } },
    };
    const back = fromJsonText(toJsonText(value)) as typeof value;
    assert.deepEqual(back, value);
    assert.equal(typeof back.balance.minor, 'bigint');
    assert.ok(back.asOf instanceof Date);
    assert.equal(back.asOf.toISOString(), '2024-03-01T10:00:00.123Z');
    const invalid = fromJsonText(toJsonText(new Date(Number.NaN)));
    assert.ok(invalid instanceof Date && Number.isNaN(invalid.getTime()));
    assert.equal(fromJsonText(toJsonText(undefined)), undefined);
    assert.equal(fromJsonText(toJsonText(7n)), 7n);
  });

  it('keeps an object that happens to use the marker key, and a __proto__ key as plain data', () => {
    const value = { $fg: 'bigint', v: '12' };
    assert.deepEqual(fromJsonText(toJsonText(value)), value);
    const sneaky = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const back = fromJsonText(toJsonText(sneaky)) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.equal((back as { polluted?: boolean }).polluted, undefined);
    assert.deepEqual(Object.keys(back), ['__proto__', 'a']);
  });

  it('refuses values the round trip would change', () => {
    class Decimalish {
      constructor(readonly text: string) {}
    }
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const value of [new Map(), new Set([1]), new Decimalish('1.0'), { f: () => 1 }, { s: Symbol('x') }, cycle]) {
      assert.throws(() => toJsonText(value), SerializeError);
    }
  });

  it('reads an envelope back, and refuses text that is not one', () => {
    const envelope = { v: { minor: 10n }, storedAt: 1, freshUntil: 2, staleUntil: 3 };
    assert.deepEqual(parseEnvelope(serializeEnvelope(envelope)), envelope);
    for (const text of [
      '',
      'null',
      '[]',
      '{"v":1}',
      '{"v":{"$fg":"bigint","v":"1.5"},"storedAt":1,"freshUntil":2,"staleUntil":3}',
      '{"v":{"$fg":"nope"},"storedAt":1,"freshUntil":2,"staleUntil":3}',
      'not json',
    ]) {
      assert.equal(parseEnvelope(text), undefined, text);
    }
  });
});
