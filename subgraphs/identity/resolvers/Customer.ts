// The Customer entity as the identity subgraph serves it: the directory's profile, personal data from the KYC
// applicant (read only when selected, and once per customer however many of its fields are), the KYC status and the
// sanctions screening. Each field re-checks that the row is the caller's to read.
import { assertCanReadCustomer } from '../../../lib/auth/rowAccess.js';
import type { IdentityContext } from '../context.js';
import type { CustomerProfile, PersonalData } from '../domain.js';
import type { CustomerResolvers } from '../generated/resolvers.js';

const none: PersonalData = { phone: null, dateOfBirth: null, taxId: null, address: null };

async function personalData(customer: CustomerProfile, context: IdentityContext): Promise<PersonalData> {
  assertCanReadCustomer(context.principal, customer.id);
  return customer.kycApplicantId
    ? context.loaders.personalData.load({ customerId: customer.id, applicantId: customer.kycApplicantId })
    : none;
}

/** "•••••6789": the last four digits at most, whatever the identifier's format; nothing for one with fewer than six. */
export function maskTaxId(taxId: string | null): string | null {
  const digits = (taxId ?? '').replace(/\D/g, '');
  if (digits.length < 6) return null;
  return `•••••${digits.slice(-4)}`;
}

export const Customer: CustomerResolvers = {
  async __resolveReference(reference, context) {
    assertCanReadCustomer(context.principal, reference.id);
    return context.loaders.profile.load(reference.id);
  },

  phone: async (customer, _, context) => (await personalData(customer, context)).phone,
  maskedTaxId: async (customer, _, context) => maskTaxId((await personalData(customer, context)).taxId),
  dateOfBirth: async (customer, _, context) => (await personalData(customer, context)).dateOfBirth,
  taxId: async (customer, _, context) => (await personalData(customer, context)).taxId,
  address: async (customer, _, context) => (await personalData(customer, context)).address,

  async kyc(customer, _, context) {
    assertCanReadCustomer(context.principal, customer.id);
    if (!customer.kycApplicantId) return { status: 'NOT_STARTED', checkedAt: null, provider: 'onfido', reasons: [] };
    return context.loaders.kyc.load({ customerId: customer.id, applicantId: customer.kycApplicantId });
  },

  sanctions(customer, _, context) {
    assertCanReadCustomer(context.principal, customer.id);
    return context.loaders.sanctions.load(customer);
  },
};
