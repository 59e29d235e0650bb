// The personal data and identity verification of each seeded customer, drawn from a stream of its own (keyed by the
// customer's id), so that adding them changed none of the data seeded before: same customers, accounts and ids.
import { Rng } from './prng.js';
import { type Clock, dayMs, dayOf } from './time.js';
import { type KycOutcome, kycReportNames, type PersonCountry, type SeedKyc, type SeedPerson } from './types.js';

const ukStreets = ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Mill Lane', 'Park Avenue', 'Queen Street', 'Green Lane'];
const ukTowns = [
  { town: 'London', postcode: 'SW1A' },
  { town: 'Manchester', postcode: 'M1' },
  { town: 'Leeds', postcode: 'LS1' },
  { town: 'Bristol', postcode: 'BS1' },
  { town: 'Edinburgh', postcode: 'EH1' },
  { town: 'Cardiff', postcode: 'CF10' },
];
const usStreets = ['Main Street', 'Oak Avenue', 'Maple Drive', 'Cedar Lane', 'Elm Street', 'Washington Avenue', 'Lake Road'];
const usTowns = [
  { town: 'Springfield', state: 'IL', zip: '627', area: '217' },
  { town: 'Portland', state: 'OR', zip: '972', area: '503' },
  { town: 'Austin', state: 'TX', zip: '787', area: '512' },
  { town: 'Columbus', state: 'OH', zip: '432', area: '614' },
  { town: 'Madison', state: 'WI', zip: '537', area: '608' },
];
const postcodeLetters = 'ABDEFGHJLNPQRSTUWXYZ';

export interface PersonInput {
  readonly seed: string;
  readonly clock: Clock;
  readonly customerId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly country: PersonCountry;
  /** When the customer signed up (ms): the applicant and the check are no older. */
  readonly createdMs: number;
  /** Draws an id not used anywhere else in the world. */
  readonly uniqueId: (generate: () => string) => string;
}

export function seedPerson(input: PersonInput): { person: SeedPerson; kyc: SeedKyc } {
  const rng = new Rng(`${input.seed}|person|${input.customerId}`);
  const birth = input.clock.anchorStart - rng.int(18 * 365 + 5, 85 * 365) * dayMs;
  const uk = input.country === 'GB';
  const ukTown = rng.pick(ukTowns);
  const usTown = rng.pick(usTowns);
  const person: SeedPerson = {
    firstName: input.firstName,
    lastName: input.lastName,
    dateOfBirth: dayOf(birth),
    phone: uk ? `+447700900${rng.digits(3)}` : `+1${usTown.area}55501${rng.digits(2)}`,
    country: input.country,
    taxId: uk
      ? { type: 'tax_id', value: `${rng.int(1, 9)}${rng.digits(9)}` }
      : {
          type: 'ssn',
          value: `${String(rng.int(100, 665)).padStart(3, '0')}-${String(rng.int(1, 99)).padStart(2, '0')}-${String(rng.int(1, 9999)).padStart(4, '0')}`,
        },
    address: uk
      ? {
          buildingNumber: String(rng.int(1, 180)),
          street: rng.pick(ukStreets),
          flatNumber: rng.chance(0.25) ? `Flat ${rng.int(1, 24)}` : null,
          town: ukTown.town,
          state: null,
          postcode: `${ukTown.postcode} ${rng.int(1, 9)}${rng.pick([...postcodeLetters])}${rng.pick([...postcodeLetters])}`,
          country: 'GB',
        }
      : {
          buildingNumber: String(rng.int(100, 9800)),
          street: rng.pick(usStreets),
          flatNumber: rng.chance(0.2) ? `Apt ${rng.int(1, 40)}` : null,
          town: usTown.town,
          state: usTown.state,
          postcode: `${usTown.zip}${rng.digits(2)}`,
          country: 'US',
        },
  };
  const roll = rng.next();
  const outcome: KycOutcome = roll < 0.8 ? 'clear' : roll < 0.9 ? 'consider' : 'in_progress';
  const applicantCreatedAt = input.createdMs + rng.int(60, 3600) * 1000;
  const checkCreatedAt =
    outcome === 'in_progress'
      ? input.clock.anchorStart - rng.int(1, 2) * dayMs + rng.int(8 * 3600, 18 * 3600) * 1000
      : applicantCreatedAt + rng.int(120, 1800) * 1000;
  const kyc: SeedKyc = {
    applicantId: input.uniqueId(() => rng.uuid()),
    applicantCreatedAt,
    checkId: input.uniqueId(() => rng.uuid()),
    checkCreatedAt,
    outcome,
    reportIds: kycReportNames.map(() => input.uniqueId(() => rng.uuid())),
    considerReport: outcome === 'consider' ? rng.pick(kycReportNames) : null,
  };
  return { person, kyc };
}
