// The seeded sanctions list, in the shape of OFAC's SDN list (sdnEntry with uid, names, sdnType, programList, akaList,
// addressList, dateOfBirthList). A few entries are fictional designations unrelated to anyone; the others are
// deliberately close to seeded customers' names (one letter changed, as transliterations and typos make them), so
// screening has true near-matches to find. Derived from the seed: the same world gives the same list.
import { Rng } from '../seed/prng.js';
import { type SeedCustomer, tenantIds, type World } from '../seed/types.js';

export interface SdnEntry {
  readonly uid: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly sdnType: 'Individual' | 'Entity';
  readonly programList: { readonly program: readonly string[] };
  readonly akaList: {
    readonly aka: ReadonlyArray<{ uid: number; type: 'a.k.a.'; category: 'strong' | 'weak'; lastName: string; firstName?: string }>;
  };
  readonly addressList: { readonly address: ReadonlyArray<{ uid: number; city?: string; country: string }> };
  readonly dateOfBirthList: { readonly dateOfBirthItem: ReadonlyArray<{ uid: number; dateOfBirth: string; mainEntry: boolean }> };
  readonly remarks?: string;
}

/** A seeded near-match: which customer an entry was drawn close to (for tests, through the control API). */
export interface SeededNearMatch {
  readonly uid: number;
  readonly customerId: string;
  readonly tenant: string;
}

const fictional: ReadonlyArray<Omit<SdnEntry, 'uid' | 'akaList' | 'addressList' | 'dateOfBirthList'> & { country: string; born?: string }> =
  [
    {
      firstName: 'Dmitri Arkadyevich',
      lastName: 'VOLKOVSKY',
      sdnType: 'Individual',
      programList: { program: ['RUSSIA-EO14024'] },
      country: 'Russia',
      born: '14 Mar 1968',
    },
    {
      firstName: 'Hector',
      lastName: 'ZAMBRANO RUIZ',
      sdnType: 'Individual',
      programList: { program: ['SDNTK'] },
      country: 'Mexico',
      born: '02 Sep 1975',
    },
    {
      firstName: 'Karim',
      lastName: 'BENHADDOU',
      sdnType: 'Individual',
      programList: { program: ['SDGT'] },
      country: 'Morocco',
      born: '1981',
    },
    {
      firstName: 'Xuefeng',
      lastName: 'LIN',
      sdnType: 'Individual',
      programList: { program: ['CYBER2'] },
      country: 'China',
      born: '23 Jan 1979',
    },
    {
      firstName: 'Mireille',
      lastName: 'FONTAINE-DUVAL',
      sdnType: 'Individual',
      programList: { program: ['GLOMAG'] },
      country: 'Haiti',
      born: '1966',
    },
    {
      firstName: '',
      lastName: 'ORIENT STAR MARITIME LLC',
      sdnType: 'Entity',
      programList: { program: ['IRAN'] },
      country: 'United Arab Emirates',
    },
  ];

const vowelSwap: Readonly<Record<string, string>> = { a: 'e', e: 'a', o: 'u', u: 'o' };

/** One letter changed, as a transliteration would: Smith → Smyth, Jones → Junes, Kim → Kym. */
export function nearName(name: string): string {
  const lower = name.toLowerCase();
  const y = lower.indexOf('i', 1);
  const vowel = [...lower].findIndex((char, index) => index > 0 && char in vowelSwap);
  const at = y > 0 ? y : vowel;
  if (at < 0) return `${name}e`;
  const replacement = y > 0 ? 'y' : (vowelSwap[lower[at] ?? ''] ?? 'y');
  return `${name.slice(0, at)}${replacement}${name.slice(at + 1)}`;
}

const countryName = { GB: 'United Kingdom', US: 'United States' } as const;
const sdnDate = (day: string) => {
  const [year, month, date] = day.split('-');
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${date ?? '01'} ${months[Number(month) - 1] ?? 'Jan'} ${year ?? '1970'}`;
};

export function buildSdnList(world: World): { entries: SdnEntry[]; nearMatches: SeededNearMatch[] } {
  const entries: SdnEntry[] = [];
  const nearMatches: SeededNearMatch[] = [];
  let uid = 36_001;
  const next = () => uid++;
  for (const entry of fictional) {
    const { country, born, ...rest } = entry;
    entries.push({
      ...rest,
      uid: next(),
      akaList: { aka: [] },
      addressList: { address: [{ uid: next(), country }] },
      dateOfBirthList: { dateOfBirthItem: born ? [{ uid: next(), dateOfBirth: born, mainEntry: true }] : [] },
    });
  }
  for (const tenant of tenantIds) {
    const rng = new Rng(`${world.seed}|sanctions|${tenant}`);
    const customers = world.customers.get(tenant) ?? [];
    const chosen = new Set<SeedCustomer>();
    while (chosen.size < Math.min(3, customers.length)) chosen.add(rng.pick(customers));
    for (const customer of chosen) {
      const { person } = customer;
      const entryUid = next();
      entries.push({
        uid: entryUid,
        firstName: person.firstName,
        lastName: nearName(person.lastName).toUpperCase(),
        sdnType: 'Individual',
        programList: { program: [rng.pick(['SDGT', 'RUSSIA-EO14024', 'CYBER2', 'GLOMAG'])] },
        akaList: {
          aka: [
            {
              uid: next(),
              type: 'a.k.a.',
              category: 'weak',
              lastName: nearName(person.lastName).toUpperCase(),
              firstName: person.firstName.slice(0, 1),
            },
          ],
        },
        addressList: { address: [{ uid: next(), country: countryName[person.country] }] },
        // Born years apart from the customer: a name match the date of birth would rule out, as most hits are.
        dateOfBirthList: {
          dateOfBirthItem: [
            {
              uid: next(),
              dateOfBirth: sdnDate(`${Number(person.dateOfBirth.slice(0, 4)) - rng.int(3, 15)}${person.dateOfBirth.slice(4)}`),
              mainEntry: true,
            },
          ],
        },
      });
      nearMatches.push({ uid: entryUid, customerId: customer.id, tenant });
    }
  }
  return { entries, nearMatches };
}
