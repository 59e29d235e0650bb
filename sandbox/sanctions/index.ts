// Sanctions screening (/sanctions/v1): the seeded list in the OFAC SDN file's shape (GET /sdn) and a search endpoint
// in the manner of the commercial screening APIs over OFAC's list (POST /search with a JSON body { name, min_score,
// type }: the name screened travels in the body, never in a URL that proxies and access logs keep): fuzzy name
// matching over every entry's names and a.k.a.s, returning scored hits (0–100) at or above min_score, best first.
// Bearer key per tenant.
import { z } from 'zod';
import { tenantForKey } from '../credentials.js';
import { bearerToken, json } from '../http/io.js';
import type { Provider, Route, SandboxRequest, SandboxResponse } from '../http/types.js';
import type { ProviderDeps } from '../providerDeps.js';
import { buildSdnList, type SdnEntry } from './list.js';
import { nameScore } from './matching.js';

export const sanctionsBasePath = '/sanctions';

/** OFAC's tool defaults to exact matches; screening programmes commonly run it from 80–90. */
const defaultMinScore = 85;

const error = (status: number, code: string, message: string, param?: string): SandboxResponse =>
  json(status, { error: { code, message, ...(param ? { param } : {}) } });

const searchBody = z.object({
  name: z.string(),
  min_score: z.number().optional(),
  type: z.string().nullish(),
});

const displayName = (entry: SdnEntry) => (entry.firstName ? `${entry.lastName}, ${entry.firstName}` : entry.lastName);

export function createSanctionsProvider(deps: ProviderDeps): Provider {
  const { entries, nearMatches } = buildSdnList(deps.world);
  const publishDate = deps.world.clock.anchor;

  const authed =
    (handler: (request: SandboxRequest) => SandboxResponse) =>
    (request: SandboxRequest): SandboxResponse =>
      tenantForKey('sanctions', bearerToken(request.headers))
        ? handler(request)
        : error(401, 'unauthorized', 'A valid API key is required: Authorization: Bearer <key>.');

  function search(request: SandboxRequest): SandboxResponse {
    let body: z.infer<typeof searchBody>;
    try {
      const parsed = searchBody.safeParse(JSON.parse(request.body));
      if (!parsed.success) return error(400, 'invalid_parameter', 'name is required and must be a string.', 'name');
      body = parsed.data;
    } catch {
      return error(400, 'invalid_request', 'The body must be a JSON object: { "name", "min_score"?, "type"? }.');
    }
    const name = body.name.trim();
    if (name.length < 2 || name.length > 200) return error(400, 'invalid_parameter', 'name must be 2 to 200 characters.', 'name');
    const minScore = body.min_score ?? defaultMinScore;
    if (!Number.isInteger(minScore) || minScore < 50 || minScore > 100)
      return error(400, 'invalid_parameter', 'min_score must be an integer from 50 to 100.', 'min_score');
    const type = body.type ?? null;
    if (type !== null && type !== 'individual' && type !== 'entity')
      return error(400, 'invalid_parameter', 'type must be individual or entity.', 'type');
    const matches = entries
      .filter((entry) => type === null || entry.sdnType.toLowerCase() === type)
      .map((entry) => {
        const names = [
          { text: [entry.firstName, entry.lastName].filter(Boolean).join(' '), on: 'name' },
          ...entry.akaList.aka.map((aka) => ({ text: [aka.firstName, aka.lastName].filter(Boolean).join(' '), on: 'aka' })),
        ];
        const best = names
          .map((candidate) => ({ ...candidate, score: nameScore(name, candidate.text) }))
          .reduce((a, b) => (b.score > a.score ? b : a));
        return { entry, best };
      })
      .filter(({ best }) => best.score >= minScore)
      .sort((a, b) => b.best.score - a.best.score || a.entry.uid - b.entry.uid)
      .map(({ entry, best }) => ({
        uid: entry.uid,
        name: displayName(entry),
        sdn_type: entry.sdnType,
        programs: entry.programList.program,
        list: 'SDN',
        score: best.score,
        matched_on: best.on,
      }));
    return json(200, { query: { name, min_score: minScore, type }, list_published: publishDate, matches });
  }

  const routes: Route[] = [
    {
      method: 'GET',
      template: '/v1/sdn',
      handle: authed(() =>
        json(200, { publishInformation: { Publish_Date: publishDate, Record_Count: entries.length }, sdnEntry: entries }),
      ),
    },
    { method: 'POST', template: '/v1/search', handle: authed(search) },
  ];

  return {
    id: 'sanctions',
    basePath: sanctionsBasePath,
    routes,
    failure(kind) {
      if (kind === 'unavailable') return error(503, 'service_unavailable', 'Screening is temporarily unavailable.');
      if (kind === 'internal') return error(500, 'internal_error', 'An unexpected error occurred.');
      return error(404, 'not_found', 'Unrecognized request URL.');
    },
    control: [{ method: 'GET', template: '/near-matches', handle: () => json(200, { nearMatches }) }],
  };
}
