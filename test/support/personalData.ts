// The seeded world's personal data, as the values a scan looks for in what FinGraph writes (logs, audit records,
// spans): built from the sandbox's own seed, the same world the test stack's providers serve.
import { createClock } from '../../sandbox/seed/time.js';
import { buildWorld } from '../../sandbox/seed/world.js';
import { TEST_ANCHOR_DATE } from './stack.js';

/**
 * Every value that identifies a person: names, emails, phones, dates of birth, tax ids, account numbers, IBANs and
 * account holders' names; with `ids`, the customers' and accounts' ids too (a span must not hold them, since paths and
 * cache keys do; an audit record names its resource by them on purpose). Values under six characters are left out:
 * too short to tell from anything else.
 */
export function seededPersonalData(options: { ids: boolean }): string[] {
  const world = buildWorld('fingraph', createClock(TEST_ANCHOR_DATE));
  const values = new Set<string>();
  for (const customer of world.customerById.values()) {
    const { person } = customer;
    for (const value of [
      customer.displayName,
      customer.email,
      `${person.firstName} ${person.lastName}`,
      person.dateOfBirth,
      person.taxId.value,
      person.phone,
    ]) {
      values.add(value);
    }
    if (options.ids) values.add(customer.id);
  }
  for (const account of world.accounts.values()) {
    for (const value of [account.accountNumber, account.iban, account.holderName]) if (value) values.add(value);
    if (options.ids) values.add(account.id);
  }
  return [...values].filter((value) => value.length >= 6);
}
