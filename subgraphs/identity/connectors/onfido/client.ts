// The KYC provider's client in Onfido's API v3.6 format: the applicant's personal data, the applicant's checks
// and a check's reports. Authorization: Token token=<tenant's key>; Onfido's 404 (another tenant's id, or none) is
// "no such applicant". Wire formats are parsed here, with zod, into the identity domain.
import { z } from 'zod';
import { FinGraphError, notFound } from '../../../../lib/errors/index.js';
import type { UpstreamClient } from '../../../../lib/http/upstreamClient.js';
import type { Address, KycVerification, PersonalData } from '../../domain.js';
import { kycStatusOf, reasonsOf } from './statuses.js';

export const KYC_PROVIDER = 'onfido';

const applicant = z.object({
  id: z.string(),
  dob: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullish(),
  phone_number: z.string().nullish(),
  id_numbers: z.array(z.object({ type: z.string(), value: z.string() })).nullish(),
  address: z
    .object({
      flat_number: z.string().nullish(),
      building_number: z.string().nullish(),
      building_name: z.string().nullish(),
      street: z.string().nullish(),
      sub_street: z.string().nullish(),
      town: z.string(),
      state: z.string().nullish(),
      postcode: z.string(),
      country: z.string().length(3),
    })
    .nullish(),
});

const check = z.object({
  id: z.string(),
  created_at: z.string(),
  status: z.enum(['in_progress', 'awaiting_applicant', 'complete', 'withdrawn', 'paused', 'reopened']),
  result: z.enum(['clear', 'consider']).nullish(),
  applicant_id: z.string(),
});
const checkList = z.object({ checks: z.array(check) });
const reportList = z.object({
  reports: z.array(
    z.object({ name: z.string(), result: z.enum(['clear', 'consider', 'unidentified']).nullish(), sub_result: z.string().nullish() }),
  ),
});

/** Onfido sends ISO 3166-1 alpha-3; FinGraph serves alpha-2. Only the countries the provider serves us are listed. */
const alpha2: Readonly<Record<string, string>> = { GBR: 'GB', USA: 'US', IRL: 'IE', FRA: 'FR', DEU: 'DE', ESP: 'ES', NLD: 'NL', CAN: 'CA' };

/** Tax identifiers, in the order preferred when an applicant has several. */
const taxIdTypes = ['ssn', 'tax_id', 'social_insurance'];

function toAddress(address: NonNullable<z.infer<typeof applicant>['address']>): Address {
  const street = [address.building_number ?? address.building_name, address.street].filter(Boolean).join(' ');
  const line2 = [address.flat_number, address.sub_street, address.state].filter(Boolean).join(', ');
  return {
    line1: street,
    line2: line2 || null,
    city: address.town,
    postalCode: address.postcode,
    country: alpha2[address.country] ?? address.country,
  };
}

export type KycCheck = z.infer<typeof check>;

export class OnfidoConnector {
  constructor(
    private readonly client: UpstreamClient,
    private readonly apiKeyFor: (tenant: string) => string | undefined,
  ) {}

  private read<T>(tenant: string, path: string, schema: z.ZodType<T>, query?: Record<string, string>): Promise<T> {
    const key = this.apiKeyFor(tenant);
    if (!key) throw notFound('Customer');
    return this.client.read({ path, ...(query ? { query } : {}), headers: { authorization: `Token token=${key}` } }, schema, (status) =>
      status === 404 ? notFound('Customer') : undefined,
    );
  }

  async personalData(tenant: string, applicantId: string): Promise<PersonalData> {
    const found = await this.read(tenant, `applicants/${encodeURIComponent(applicantId)}`, applicant);
    const taxId = taxIdTypes.map((type) => found.id_numbers?.find((entry) => entry.type === type)).find(Boolean);
    return {
      phone: found.phone_number ?? null,
      dateOfBirth: found.dob ?? null,
      taxId: taxId?.value ?? null,
      address: found.address ? toAddress(found.address) : null,
    };
  }

  /** One check by id, or undefined when this tenant has no such check (how a webhook learns whose check it is). */
  async check(tenant: string, checkId: string): Promise<KycCheck | undefined> {
    try {
      return await this.read(tenant, `checks/${encodeURIComponent(checkId)}`, check);
    } catch (error) {
      if (error instanceof FinGraphError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** The applicant's verification: the newest check, and for one that asks for review, the reports saying why. */
  async verification(tenant: string, applicantId: string): Promise<KycVerification> {
    const { checks } = await this.read(tenant, 'checks', checkList, { applicant_id: applicantId });
    const latest = [...checks].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
    const base = { provider: KYC_PROVIDER, reasons: [] as string[] };
    const status = kycStatusOf(latest);
    if (!latest || status === 'NOT_STARTED' || status === 'PENDING') return { ...base, status, checkedAt: null };
    const checkedAt = new Date(latest.created_at).toISOString();
    if (status === 'CLEAR') return { ...base, status, checkedAt };
    const { reports } = await this.read(tenant, 'reports', reportList, { check_id: latest.id });
    return { ...base, status, checkedAt, reasons: reasonsOf(reports) };
  }
}
