// Root fields of the accounts subgraph. Customers themselves (customer, me, customers) are the identity subgraph's.
import { upstreamUnavailable } from '../../../lib/errors/index.js';
import type { ReferenceRates } from '../../../lib/money/index.js';
import { addPartialError } from '../../../lib/subgraph/partialErrors.js';
import { assertStaff } from '../access.js';
import { computeCashPosition } from '../cashPosition.js';
import type { AccountsContext } from '../context.js';
import type { QueryResolvers } from '../generated/resolvers.js';
import { TENANT_TAG } from '../loaders.js';
import { loadAccount } from './Account.js';

/** The ECB's rates, cached until the next publication; stored as entries, since a Map does not survive JSON. */
async function cachedRates(context: AccountsContext): Promise<ReferenceRates> {
  const stored = await context.services.cache.readThrough({
    policy: context.services.cachePolicy.fxRates(),
    scope: { tenant: context.principal.tenant },
    key: ['ecb-daily'],
    tags: [TENANT_TAG],
    load: async () => {
      const rates = await context.services.fx.daily();
      return { base: rates.base, publishedOn: rates.publishedOn, perBase: [...rates.perBase] };
    },
  });
  return { base: stored.base, publishedOn: stored.publishedOn, perBase: new Map(stored.perBase) };
}

export const Query: QueryResolvers = {
  account: (_, { id }, context) => loadAccount(context, id),

  institutions: (_, __, context) => context.services.institutions,

  async cashPosition(_, { reportingCurrency }, context, info) {
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
};
