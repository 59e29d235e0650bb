// Per-request DataLoaders: every upstream read a request makes goes through the shared cache first, then, for what the
// cache does not hold, to the upstream in the fewest calls it allows. Profiles of many customers (a list, many
// aliases, or the other subgraphs' _entities for Customer) come from the directory in one ?ids= call per 100; the
// KYC provider and the screening service have no batch API, so they are read per customer, and only when selected.
// Each read of personal data or of a KYC verification from the provider (a cache miss) leaves an audit record.
import DataLoader from 'dataloader';
import { cachedLoader, customerTag, TENANT_TAG } from '../../lib/cache/index.js';
import { resourceId, UpstreamAction, type UpstreamAuditor } from '../../lib/subgraph/audit.js';
import type { CustomerProfile, KycVerification, PersonalData, SanctionsScreening } from './domain.js';
import type { IdentityServices } from './services.js';

export interface IdentityLoaders {
  readonly profile: DataLoader<string, CustomerProfile | null>;
  readonly personalData: DataLoader<Applicant, PersonalData, string>;
  readonly kyc: DataLoader<Applicant, KycVerification, string>;
  readonly sanctions: DataLoader<CustomerProfile, SanctionsScreening, string>;
}

/** A customer's KYC applicant: read and cached by the applicant id, audited by the customer id. */
export interface Applicant {
  readonly customerId: string;
  readonly applicantId: string;
}

/** Tags of everything cached about one KYC applicant: a check.completed webhook drops them. */
export const applicantTag = (applicantId: string) => `kyc-applicant:${applicantId}`;

export function createLoaders(services: IdentityServices, tenant: string, audit: UpstreamAuditor): IdentityLoaders {
  const { cache, cachePolicy: policy } = services;
  const scope = { tenant };

  const upstreamProfiles = new DataLoader<string, CustomerProfile | null>(
    async (ids) => {
      const found = await services.directory.retrieveMany(tenant, ids);
      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize: 100 },
  );
  // The cache reads all the request's keys in one round trip; only the misses go to the directory, in one batch.
  const profile = cachedLoader<string, CustomerProfile | null>(cache, (id) => ({
    policy: policy.profiles,
    scope,
    key: [id],
    tags: [TENANT_TAG, customerTag(id)],
    load: () => upstreamProfiles.load(id),
  }));

  const byApplicant = { cacheKeyFn: (applicant: Applicant) => applicant.applicantId };
  const personalData = cachedLoader<Applicant, PersonalData, string>(
    cache,
    ({ customerId, applicantId }) => ({
      policy: policy.personalData,
      scope,
      key: [applicantId],
      tags: [TENANT_TAG, applicantTag(applicantId)],
      load: () =>
        audit.record({ action: UpstreamAction.CustomerRead, personalData: true, resource: resourceId('customer', customerId) }, () =>
          services.kyc.personalData(tenant, applicantId),
        ),
    }),
    byApplicant,
  );

  const kyc = cachedLoader<Applicant, KycVerification, string>(
    cache,
    ({ customerId, applicantId }) => ({
      policy: policy.kyc,
      scope,
      key: [applicantId],
      tags: [TENANT_TAG, applicantTag(applicantId)],
      load: () =>
        audit.record({ action: UpstreamAction.KycRead, personalData: true, resource: resourceId('customer', customerId) }, () =>
          services.kyc.verification(tenant, applicantId),
        ),
    }),
    byApplicant,
  );

  const sanctions = cachedLoader<CustomerProfile, SanctionsScreening, string>(
    cache,
    (customer) => ({
      // Keyed by the name screened, so a renamed customer is screened again at once.
      policy: policy.sanctions,
      scope,
      key: [customer.id, customer.displayName, services.sanctionsMinScore],
      tags: [TENANT_TAG, customerTag(customer.id)],
      load: async (): Promise<SanctionsScreening> => {
        const matches = await services.sanctions.search(tenant, customer.displayName, services.sanctionsMinScore);
        return { status: matches.length > 0 ? 'POTENTIAL_MATCH' : 'CLEAR', screenedAt: new Date().toISOString(), matches };
      },
    }),
    { cacheKeyFn: (customer) => customer.id },
  );

  return { profile, personalData, kyc, sanctions };
}
