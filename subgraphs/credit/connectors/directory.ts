// Connector for the tenant's customer directory, only to learn which customer ids exist in the tenant before anything
// is pulled at the bureau. Every call uses the tenant's own key, so the directory itself keeps tenants apart.
import { z } from 'zod';
import type { UpstreamClient } from '../../../lib/http/upstreamClient.js';

/** The directory's documented maximum for ids=. */
export const DIRECTORY_BATCH_MAX = 100;

const customerList = z.object({ data: z.array(z.object({ id: z.string() })) });

export class DirectoryConnector {
  constructor(
    private readonly client: UpstreamClient,
    private readonly apiKeyFor: (tenant: string) => string | undefined,
  ) {}

  /** The ids among `ids` that are customers of the tenant, in one call per DIRECTORY_BATCH_MAX ids. */
  async existing(tenant: string, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const key = this.apiKeyFor(tenant);
    // A tenant without directory credentials has no customers FinGraph may read.
    if (!key) return found;
    for (let i = 0; i < ids.length; i += DIRECTORY_BATCH_MAX) {
      const page = await this.client.read(
        {
          path: 'customers',
          query: { ids: ids.slice(i, i + DIRECTORY_BATCH_MAX).join(',') },
          headers: { authorization: `Bearer ${key}` },
        },
        customerList,
      );
      for (const entry of page.data) found.add(entry.id);
    }
    return found;
  }
}
