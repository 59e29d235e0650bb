// The seeded world's personal data, as the values a scan looks for in what FinGraph writes (logs, audit records,
// spans): built from the sandbox's own seed, the same world the test stack's providers serve.
import { createClock } from '../../sandbox/seed/time.js';
import { buildWorld } from '../../sandbox/seed/world.js';
import { TEST_ANCHOR_DATE } from './anchorDate.js';

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

/** The seeded values indexed for a scan by words: single words looked up at once, multi-word ones by their first. */
interface NeedleIndex {
  readonly single: ReadonlySet<string>;
  readonly byFirstWord: ReadonlyMap<string, readonly string[][]>;
}

let index: NeedleIndex | undefined;

/** What counts as one word of a value: letters, digits and the joiners of emails, phones, dates and ids. */
const word = /[\p{L}\p{N}@.+_'-]+/gu;

/** The words of a text; a sentence's full stop or a quote's apostrophe is not part of the word beside it. */
function wordsOf(text: string): string[] {
  return (text.match(word) ?? []).map((each) => each.replace(/^['.]+|['.]+$/g, ''));
}

function needleIndex(): NeedleIndex {
  if (index) return index;
  const single = new Set<string>();
  const byFirstWord = new Map<string, string[][]>();
  for (const value of seededPersonalData({ ids: false })) {
    const words = wordsOf(value);
    if (words.length === 1) {
      single.add(words[0] as string);
    } else if (words.length > 1) {
      const first = words[0] as string;
      byFirstWord.set(first, [...(byFirstWord.get(first) ?? []), words]);
    }
  }
  index = { single, byFirstWord };
  return index;
}

/**
 * The first seeded personal-data value found in the texts as a whole word (or words in a row), or undefined. Word by
 * word with set look-ups rather than a substring search per value: fast enough to run over every log line and audit
 * record of every test stack (test/support/stack.ts, at close); test/e2e/personalDataScan.test.ts searches substrings.
 */
export function findPersonalData(texts: Iterable<string>): string | undefined {
  const { single, byFirstWord } = needleIndex();
  for (const text of texts) {
    const words = wordsOf(text);
    for (let position = 0; position < words.length; position += 1) {
      const current = words[position] as string;
      if (single.has(current)) return current;
      for (const candidate of byFirstWord.get(current) ?? []) {
        if (candidate.every((part, offset) => words[position + offset] === part)) return candidate.join(' ');
      }
    }
  }
  return undefined;
}
