// Connector for sanctions screening (OFAC SDN list search): a name in, scored hits out. Only the customer's name is
// sent (data minimisation): the list's own dates of birth are for the analyst reviewing a hit, not for us to match on.
// The name goes in a POST body, not a query string: URLs end up in proxy and access logs, bodies do not.
import { z } from 'zod';
import { upstreamUnavailable } from '../../../lib/errors/index.js';
import type { UpstreamClient } from '../../../lib/http/upstreamClient.js';
import type { SanctionsMatch } from '../domain.js';

const searchResult = z.object({
  matches: z.array(
    z.object({
      uid: z.union([z.number().int(), z.string()]),
      name: z.string(),
      programs: z.array(z.string()),
      list: z.string(),
      score: z.number().min(0).max(100),
    }),
  ),
});

export class SanctionsConnector {
  constructor(
    private readonly client: UpstreamClient,
    private readonly apiKeyFor: (tenant: string) => string | undefined,
  ) {}

  async search(tenant: string, name: string, minScore: number): Promise<SanctionsMatch[]> {
    const key = this.apiKeyFor(tenant);
    // Screening cannot be skipped silently: without credentials the answer is "unavailable", never "clear".
    if (!key) throw upstreamUnavailable('sanctions');
    const result = await this.client.postRead(
      { path: 'search', headers: { authorization: `Bearer ${key}` } },
      { name, min_score: minScore, type: 'individual' },
      searchResult,
    );
    return result.matches.map((match) => ({
      name: match.name,
      score: Math.round(match.score),
      listEntryId: String(match.uid),
      programs: match.programs,
      list: match.list,
    }));
  }
}
