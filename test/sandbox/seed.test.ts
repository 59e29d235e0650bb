// Building blocks of the seeded data: the PRNG, minor-unit formatting, bank identifiers and the calendar.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gbIban, isValidAbaRoutingNumber, isValidIban, usBanks, withAbaCheckDigit } from '../../sandbox/seed/identifiers.js';
import { createLedgerBook } from '../../sandbox/seed/ledger.js';
import { formatMinor, fromCents } from '../../sandbox/seed/money.js';
import { Rng } from '../../sandbox/seed/prng.js';
import { createClock, parseDay, parseTimestamp } from '../../sandbox/seed/time.js';
import { buildWorld } from '../../sandbox/seed/world.js';

describe('seed building blocks', () => {
  it('draws the same stream for the same label and another for another label', () => {
    const draw = (label: string) => {
      const rng = new Rng(label);
      return Array.from({ length: 5 }, () => rng.next());
    };
    assert.deepEqual(draw('fingraph|x'), draw('fingraph|x'));
    assert.notDeepEqual(draw('fingraph|x'), draw('fingraph|y'));
    const rng = new Rng('range');
    for (let i = 0; i < 1000; i++) {
      const value = rng.int(3, 5);
      assert.ok(value >= 3 && value <= 5 && Number.isInteger(value));
    }
  });

  it('formats minor units with exactly the currency’s decimals', () => {
    assert.equal(formatMinor(123450, 'GBP'), '1234.50');
    assert.equal(formatMinor(5, 'USD'), '0.05');
    assert.equal(formatMinor(-99, 'EUR'), '-0.99');
    assert.equal(formatMinor(1234, 'JPY'), '1234');
    assert.equal(formatMinor(900719925474099, 'USD'), '9007199254740.99');
    assert.throws(() => formatMinor(1.5, 'USD'), RangeError);
    assert.equal(fromCents(100, 'JPY'), 150);
  });

  it('produces IBANs and routing numbers that pass their check digits', () => {
    const iban = gbIban('NWND', '309634', '12345678');
    assert.match(iban, /^GB\d{2}NWND30963412345678$/);
    assert.ok(isValidIban(iban));
    assert.ok(!isValidIban(iban.replace('12345678', '12345679')));
    assert.ok(isValidIban('GB82WEST12345698765432'), 'the textbook example');
    assert.equal(withAbaCheckDigit('02100002'), '021000021');
    for (const bank of Object.values(usBanks)) assert.ok(isValidAbaRoutingNumber(bank.routingNumber));
  });

  it('parses calendar days and timestamps strictly', () => {
    assert.equal(parseDay('2026-11-24'), '2026-11-24');
    assert.equal(parseDay('2026-02-30'), undefined);
    assert.equal(parseTimestamp('2026-11-24'), Date.parse('2026-11-24T00:00:00Z'));
    assert.equal(parseTimestamp('2026-11-24T10:00:00+01:00'), Date.parse('2026-11-24T09:00:00Z'));
    assert.equal(parseTimestamp('2026-11-24T10:00'), Date.parse('2026-11-24T10:00:00Z'));
    assert.equal(parseTimestamp('2026-11-24T25:00:00Z'), undefined);
    assert.equal(parseTimestamp('last week'), undefined);
    assert.throws(() => createClock('24/11/2026'), TypeError);
  });

  it('keeps every seeded amount an integer and every history inside the 90-day window', () => {
    const world = buildWorld('unit', createClock('2026-11-24'));
    const ledgers = createLedgerBook(world);
    const { windowStart, asOf } = world.clock;
    let pendingAccounts = 0;
    for (const account of [...world.accounts.values()].slice(0, 150)) {
      const ledger = ledgers.ledgerFor(account);
      assert.equal(ledgers.ledgerFor(account), ledger, 'memoised');
      for (const t of ledger.transactions) {
        assert.ok(Number.isSafeInteger(t.amountMinor) && t.amountMinor !== 0);
        assert.ok(t.at > windowStart && t.at < asOf);
      }
      const pendingIndexes = ledger.transactions.flatMap((t, i) => (t.pending ? [i] : []));
      // Pending ones are the newest: indexes 0..k-1 in a newest-first list.
      assert.deepEqual(
        pendingIndexes,
        pendingIndexes.map((_, i) => i),
      );
      if (pendingIndexes.length > 0) pendingAccounts++;
    }
    assert.ok(pendingAccounts > 50);
    const organisation = world.organisations.get('acme');
    assert.equal(organisation?.links.length, 5, 'one link per bank, and a second consent at Albion');
    const orgAccounts = [...world.accounts.values()].filter((a) => a.ownerKind === 'organisation' && a.tenant === 'acme');
    assert.ok(orgAccounts.some((a) => a.currency === 'JPY'));
  });
});
