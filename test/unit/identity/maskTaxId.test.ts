// The masked tax id never shows more than the last four digits, whatever the identifier's format.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskTaxId } from '../../../subgraphs/identity/resolvers/Customer.js';

describe('maskTaxId', () => {
  it('keeps only the last four digits of an SSN or a UTR', () => {
    assert.equal(maskTaxId('123-45-6789'), '•••••6789');
    assert.equal(maskTaxId('1234567890'), '•••••7890');
  });

  it('reveals nothing of an identifier too short to hide most of, or of none', () => {
    assert.equal(maskTaxId('12345'), null);
    assert.equal(maskTaxId(''), null);
    assert.equal(maskTaxId(null), null);
  });

  it('never shows more than four digits, for any length and layout', () => {
    for (let length = 6; length <= 20; length += 1) {
      const digits = Array.from({ length }, (_, index) => String((index * 7 + 3) % 10)).join('');
      for (const shaped of [digits, digits.replace(/(\d{3})/g, '$1-'), ` ${digits} `]) {
        const masked = maskTaxId(shaped) as string;
        assert.equal((masked.match(/\d/g) ?? []).length, 4, masked);
        assert.ok(masked.endsWith(digits.slice(-4)));
      }
    }
  });
});
