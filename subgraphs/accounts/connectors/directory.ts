// Connector for the tenant's customer directory, as the accounts subgraph reads it: customers' bank connections and the
// organisation's own (listing customers is the identity subgraph's). Every call uses the tenant's own key, so the
// directory itself keeps tenants apart.
import { z } from 'zod';
import { notFound } from '../../../lib/errors/index.js';
import type { UpstreamClient } from '../../../lib/http/upstreamClient.js';
import type { BankLink, CustomerRecord } from '../domain.js';

/** The directory's documented maximum for ids=. */
export const DIRECTORY_BATCH_MAX = 100;

const bankLink = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('open_banking'),
    institution_id: z.string(),
    consent_id: z.string(),
    access_token: z.string(),
    consent_expires_at: z.string(),
  }),
  z.object({ type: z.literal('core_banking'), institution_id: z.string(), bank_customer_id: z.string() }),
]);
const customer = z.object({
  id: z.string(),
  display_name: z.string(),
  email: z.string(),
  bank_links: z.array(bankLink),
});
const customerList = z.object({ data: z.array(customer), has_more: z.boolean() });
const organisation = z.object({ id: z.string(), name: z.string(), bank_links: z.array(bankLink) });

function toLink(link: z.infer<typeof bankLink>): BankLink {
  return link.type === 'open_banking'
    ? {
        kind: 'open_banking',
        institutionId: link.institution_id,
        consentId: link.consent_id,
        accessToken: link.access_token,
        consentExpiresAt: link.consent_expires_at,
      }
    : { kind: 'core_banking', institutionId: link.institution_id, bankCustomerId: link.bank_customer_id };
}

function toRecord(entry: z.infer<typeof customer>): CustomerRecord {
  return { id: entry.id, displayName: entry.display_name, email: entry.email, bankLinks: entry.bank_links.map(toLink) };
}

export class DirectoryConnector {
  constructor(
    private readonly client: UpstreamClient,
    private readonly apiKeyFor: (tenant: string) => string | undefined,
  ) {}

  private async read<T>(
    tenant: string,
    path: string,
    schema: z.ZodType<T>,
    query?: Record<string, string | number | undefined>,
  ): Promise<T> {
    const key = this.apiKeyFor(tenant);
    // A tenant without directory credentials has no customers FinGraph may read.
    if (!key) throw notFound('Customer');
    return this.client.read({ path, query, headers: { authorization: `Bearer ${key}` } }, schema, (status) =>
      status === 404 ? notFound('Customer') : undefined,
    );
  }

  /** Many customers in one call per DIRECTORY_BATCH_MAX ids; ids outside the tenant are simply absent. */
  async retrieveMany(tenant: string, ids: readonly string[]): Promise<Map<string, CustomerRecord>> {
    const found = new Map<string, CustomerRecord>();
    for (let i = 0; i < ids.length; i += DIRECTORY_BATCH_MAX) {
      const page = await this.read(tenant, 'customers', customerList, { ids: ids.slice(i, i + DIRECTORY_BATCH_MAX).join(',') });
      for (const entry of page.data) found.set(entry.id, toRecord(entry));
    }
    return found;
  }

  async organisationLinks(tenant: string): Promise<BankLink[]> {
    const org = await this.read(tenant, 'organisation', organisation);
    return org.bank_links.map(toLink);
  }
}
