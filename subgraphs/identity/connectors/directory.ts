// Connector for the tenant's customer directory (Stripe-style lists), as the identity subgraph reads it: the customer
// profile and its link to the KYC applicant. Every call uses the tenant's own key, so the directory keeps tenants apart.
import { z } from 'zod';
import { badUserInput, type FinGraphError, notFound } from '../../../lib/errors/index.js';
import type { UpstreamClient } from '../../../lib/http/upstreamClient.js';
import type { CustomerProfile } from '../domain.js';

/** The directory's documented maximum for ids= and limit=. */
export const DIRECTORY_BATCH_MAX = 100;

// Bank links are the accounts subgraph's business: not parsed, not kept, not cached here.
const customer = z.object({
  id: z.string().min(1),
  display_name: z.string(),
  email: z.string(),
  kyc_applicant_id: z.string().min(1).nullish(),
});
const customerList = z.object({ data: z.array(customer), has_more: z.boolean() });

const toProfile = (entry: z.infer<typeof customer>): CustomerProfile => ({
  id: entry.id,
  displayName: entry.display_name,
  email: entry.email,
  kycApplicantId: entry.kyc_applicant_id ?? null,
});

export interface ProfilePage {
  readonly profiles: readonly CustomerProfile[];
  readonly hasMore: boolean;
}

export class DirectoryConnector {
  constructor(
    private readonly client: UpstreamClient,
    private readonly apiKeyFor: (tenant: string) => string | undefined,
  ) {}

  private async read<T>(
    tenant: string,
    schema: z.ZodType<T>,
    query: Record<string, string | number | undefined>,
    missing: () => FinGraphError,
  ): Promise<T> {
    const key = this.apiKeyFor(tenant);
    // A tenant without directory credentials has no customers FinGraph may read.
    if (!key) throw notFound('Customer');
    return this.client.read({ path: 'customers', query, headers: { authorization: `Bearer ${key}` } }, schema, (status) =>
      status === 404 ? missing() : undefined,
    );
  }

  /** One page of the tenant's customers, by id; a starting_after the directory does not know is a bad cursor. */
  async list(tenant: string, limit: number, startingAfter?: string): Promise<ProfilePage> {
    const page = await this.read(tenant, customerList, { limit, starting_after: startingAfter }, () =>
      badUserInput('The cursor is not valid for this list', { argument: 'after' }),
    );
    return { profiles: page.data.map(toProfile), hasMore: page.has_more };
  }

  /** Many customers in one call per DIRECTORY_BATCH_MAX ids; ids outside the tenant are simply absent. */
  async retrieveMany(tenant: string, ids: readonly string[]): Promise<Map<string, CustomerProfile>> {
    const found = new Map<string, CustomerProfile>();
    for (let i = 0; i < ids.length; i += DIRECTORY_BATCH_MAX) {
      const page = await this.read(tenant, customerList, { ids: ids.slice(i, i + DIRECTORY_BATCH_MAX).join(',') }, () =>
        notFound('Customer'),
      );
      for (const entry of page.data) found.set(entry.id, toProfile(entry));
    }
    return found;
  }
}
