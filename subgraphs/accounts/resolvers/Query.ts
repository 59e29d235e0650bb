// Root fields of the accounts subgraph.
import { z } from 'zod';
import type { GraphQLResolveInfo } from 'graphql';
import { notFound, upstreamUnavailable } from '../../../lib/errors/index.js';
import { addPartialError } from '../../../lib/subgraph/partialErrors.js';
import { decodeCursor, encodeCursor, pageSize } from '../../../lib/graphql/cursor.js';
import type { CurrencyCode, ReferenceRates } from '../../../lib/money/index.js';
import { TENANT_TAG } from '../loaders.js';
import { assertCanReadCustomer, assertStaff } from '../access.js';
import { computeCashPosition } from '../cashPosition.js';
import type { AccountsContext } from '../context.js';
import { loadAccount } from './Account.js';

const CUSTOMERS_PAGE_MAX = 100;

/** The ECB's rates, cached until the next publication; stored as entries, since a Map does not survive JSON. */
async function cachedRates(context: AccountsContext): Promise<ReferenceRates> {
  const stored = await context.services.cache.readThrough({
    policy: context.services.cachePolicy.fxRates(), scope: { tenant: context.principal.tenant }, key: ['ecb-daily'], tags: [TENANT_TAG],
    load: async () => {
      const rates = await context.services.fx.daily();
      return { base: rates.base, publishedOn: rates.publishedOn, perBase: [...rates.perBase] };
    },
  });
  return { base: stored.base, publishedOn: stored.publishedOn, perBase: new Map(stored.perBase) };
}

export const Query = {
  account: (_: unknown, { id }: { id: string }, context: AccountsContext) => loadAccount(context, id),

  institutions: (_: unknown, __: unknown, context: AccountsContext) => context.services.institutions,

  async cashPosition(_: unknown, { reportingCurrency }: { reportingCurrency: CurrencyCode }, context: AccountsContext, info: GraphQLResolveInfo) {
    assertStaff(context.principal, 'Cash position');
    const position = await computeCashPosition({
      loaders: context.loaders,
      institutions: context.services.institutions,
      rates: () => cachedRates(context),
      reportingCurrency,
      bankDeadlineMs: context.services.bankTimeoutMs,
    });
    for (const institutionId of position.unknownInstitutions) {
      context.logger.error({ institutionId }, 'organisation linked to a bank with no connector');
      addPartialError(context, info, upstreamUnavailable(institutionId));
    }
    return position;
  },

  async customers(_: unknown, args: { first: number; after?: string | null }, context: AccountsContext) {
    const first = pageSize(args.first, CUSTOMERS_PAGE_MAX);
    const after = args.after ? decodeCursor('customers', args.after, { id: z.string().min(1) }).id : undefined;
    const { principal } = context;
    if (principal.customerId !== undefined) {
      // A customer's organisation is one customer: itself.
      const self = after ? null : await context.loaders.customer.load(principal.customerId);
      const edges = self ? [{ cursor: encodeCursor('customers', { id: self.id }), node: { id: self.id } }] : [];
      return { edges, pageInfo: { hasNextPage: false, endCursor: edges.at(-1)?.cursor ?? null } };
    }
    const page = await context.services.directory.list(principal.tenant, first, after);
    for (const record of page.customers) context.loaders.customer.prime(record.id, record);
    const edges = page.customers.map((record) => ({ cursor: encodeCursor('customers', { id: record.id }), node: { id: record.id } }));
    return { edges, pageInfo: { hasNextPage: page.hasMore, endCursor: edges.at(-1)?.cursor ?? null } };
  },

  async customer(_: unknown, { id }: { id: string }, context: AccountsContext) {
    assertCanReadCustomer(context.principal, id);
    const record = await context.loaders.customer.load(id);
    if (!record) throw notFound('Customer');
    return { id: record.id };
  },

  async me(_: unknown, __: unknown, context: AccountsContext) {
    const { customerId } = context.principal;
    if (customerId === undefined) throw notFound('Customer');
    const record = await context.loaders.customer.load(customerId);
    if (!record) throw notFound('Customer');
    return { id: record.id };
  },
};
