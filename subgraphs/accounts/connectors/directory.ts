// Connector for the tenant's customer directory: the system of record for customers and their bank connections
// (Stripe-style lists). Every call uses the tenant's own key, so the directory itself keeps tenants apart.
import { z } from 'zod';
import { badUserInput, notFound, type FinGraphError } from '../../../lib/errors/index.js';
import { UpstreamClient } from '../../../lib/http/upstreamClient.js';
import type { BankLink, CustomerRecord } from '../domain.js';

/** The directory's documented maximum for ids= and limit=. */
export const DIRECTORY_BATCH_MAX = 100;

const bankLink = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('open_banking'), institution_id: z.string(), consent_id: z.string(),
    access_token: z.string(), consent_expires_at: z.string(),
  }),
  z.object({ type: z.literal('core_banking'), institution_id: z.string(), bank_customer_id: z.string() }),
]);
const customer = z.object({
  id: z.string(), display_name: z.string(), email: z.string(), bank_links: z.array(bankLink),
});
const customerList = z.object({ data: z.array(customer), has_more: z.boolean() });
const organisation = z.object({ id: z.string(), name: z.string(), bank_links: z.array(bankLink) });

function toLink(link: z.infer<typeof bankLink>): BankLink {
  return link.type === 'open_banking'
    ? { kind: 'open_banking', institutionId: link.institution_id, consentId: link.consent_id,
        accessToken: link.access_token, consentExpiresAt: link.consent_expires_at }
    : { kind: 'core_banking', institutionId: link.institution_id, bankCustomerId: link.bank_customer_id };
}

function toRecord(entry: z.infer<typeof customer>): CustomerRecord {
  return { id: entry.id, displayName: entry.display_name, email: entry.email, bankLinks: entry.bank_links.map(toLink) };
}

export interface CustomerPage {
  readonly customers: CustomerRecord[];
  readonly hasMore: boolean;
}

export class DirectoryConnector {
  constructor(private readonly client: UpstreamClient, private readonly apiKeyFor: (tenant: string) => string | undefined) {}

  /** `missing` is what a 404 from the directory means for this call; by default, a customer that does not exist. */
  private async read<T>(
    tenant: string, path: string, schema: z.ZodType<T>, query?: Record<string, string | number | undefined>,
    missing: () => FinGraphError = () => notFound('Customer'),
  ): Promise<T> {
    const key = this.apiKeyFor(tenant);
    // A tenant without directory credentials has no customers FinGraph may read.
    if (!key) throw notFound('Customer');
    return this.client.read({ path, query, headers: { authorization: `Bearer ${key}` } }, schema,
      (status) => (status === 404 ? missing() : undefined));
  }

  async list(tenant: string, limit: number, startingAfter?: string): Promise<CustomerPage> {
    // The directory answers 404 for a starting_after that is not one of the tenant's customers (another tenant's, or
    // none at all, alike): that is a cursor the client edited or carried across lists, not a missing object.
    const badCursor = () => badUserInput('The cursor is not valid for this list', { argument: 'after' });
    const page = await this.read(tenant, 'customers', customerList, { limit, starting_after: startingAfter },
      startingAfter === undefined ? undefined : badCursor);
    return { customers: page.data.map(toRecord), hasMore: page.has_more };
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
