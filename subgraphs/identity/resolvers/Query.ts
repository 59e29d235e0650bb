// Root fields of the identity subgraph: one customer, the signed-in customer, and the tenant's customers in pages.
import { z } from 'zod';
import { assertCanReadCustomer } from '../../../lib/auth/rowAccess.js';
import { badUserInput, notFound } from '../../../lib/errors/index.js';
import { decodeCursor, encodeCursor, pageSize } from '../../../lib/graphql/cursor.js';
import type { CustomerProfile } from '../domain.js';
import type { CustomerFilter, QueryResolvers } from '../generated/resolvers.js';

const CUSTOMERS_PAGE_MAX = 100;
/** A filtered list reads the directory a page of 100 at a time; a request stops after this many and says there is more. */
const FILTER_SCAN_PAGES = 10;

const fold = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

function nameFilter(filter: CustomerFilter | null | undefined): ((profile: CustomerProfile) => boolean) | undefined {
  const text = filter?.nameContains?.trim();
  if (text === undefined || text === '') return undefined;
  if (text.length < 2 || text.length > 100) throw badUserInput('nameContains must be 2 to 100 characters', { argument: 'filter' });
  const wanted = fold(text);
  return (profile) => fold(profile.displayName).includes(wanted);
}

const edgeOf = (profile: CustomerProfile) => ({ cursor: encodeCursor('customers', { id: profile.id }), node: profile });

export const Query: QueryResolvers = {
  async customer(_, { id }, context) {
    assertCanReadCustomer(context.principal, id);
    const profile = await context.loaders.profile.load(id);
    if (!profile) throw notFound('Customer');
    return profile;
  },

  async me(_, __, context) {
    const { customerId } = context.principal;
    if (customerId === undefined) throw notFound('Customer');
    const profile = await context.loaders.profile.load(customerId);
    if (!profile) throw notFound('Customer');
    return profile;
  },

  async customers(_, args, context) {
    const first = pageSize(args.first, CUSTOMERS_PAGE_MAX);
    const after = args.after ? decodeCursor('customers', args.after, { id: z.string().min(1) }).id : undefined;
    const matches = nameFilter(args.filter);
    const { principal, loaders, services } = context;
    if (principal.customerId !== undefined) {
      // A customer's organisation is one customer: itself.
      const self = after ? null : await loaders.profile.load(principal.customerId);
      const edges = self && (!matches || matches(self)) ? [edgeOf(self)] : [];
      return { edges, pageInfo: { hasNextPage: false, endCursor: edges.at(-1)?.cursor ?? null } };
    }
    if (!matches) {
      const page = await services.directory.list(principal.tenant, first, after);
      for (const profile of page.profiles) loaders.profile.prime(profile.id, profile);
      const edges = page.profiles.map(edgeOf);
      return { edges, pageInfo: { hasNextPage: page.hasMore, endCursor: edges.at(-1)?.cursor ?? null } };
    }
    // The directory cannot search: read it in order, keep the matches, stop at a full page or after a bounded scan.
    const found: CustomerProfile[] = [];
    let position = after;
    let more = true;
    for (let scanned = 0; scanned < FILTER_SCAN_PAGES && more && found.length < first; scanned += 1) {
      const page = await services.directory.list(principal.tenant, CUSTOMERS_PAGE_MAX, position);
      more = page.hasMore;
      for (const profile of page.profiles) {
        loaders.profile.prime(profile.id, profile);
        position = profile.id;
        if (!matches(profile)) continue;
        found.push(profile);
        if (found.length === first) {
          more = more || profile !== page.profiles.at(-1);
          break;
        }
      }
    }
    const edges = found.map(edgeOf);
    // After a scan that found nothing, the cursor still moves on past what was read.
    const endCursor = edges.at(-1)?.cursor ?? (more && position ? encodeCursor('customers', { id: position }) : null);
    return { edges, pageInfo: { hasNextPage: more, endCursor } };
  },
};
