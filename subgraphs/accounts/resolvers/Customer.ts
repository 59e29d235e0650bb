// The Customer entity's accounts: read from every bank the customer is connected to, in parallel. A bank that cannot
// be read (expired consent, outage) adds an error at this path and is left out; the other banks' accounts stand.

import { assertCanReadCustomer } from '../../../lib/auth/rowAccess.js';
import { FinGraphError, notFound, upstreamUnavailable } from '../../../lib/errors/index.js';
import { selectsField } from '../../../lib/graphql/selection.js';
import { addPartialError } from '../../../lib/subgraph/partialErrors.js';
import type { Account } from '../domain.js';
import type { CustomerResolvers } from '../generated/resolvers.js';

export const Customer: CustomerResolvers = {
  __resolveReference(reference, context) {
    assertCanReadCustomer(context.principal, reference.id);
    return { id: reference.id };
  },

  async accounts(customer, _, context, info) {
    assertCanReadCustomer(context.principal, customer.id);
    const record = await context.loaders.customer.load(customer.id);
    if (!record) throw notFound('Customer');
    const wantsBalances = selectsField(info, 'balance');
    const outcomes = await Promise.allSettled(
      record.bankLinks.map((link) => {
        const listing = context.loaders.accountsAt.load({ ownerId: record.id, link });
        // Ask for balances as each bank's list arrives, not when the slowest of the customer's banks has answered:
        // that is what lets one core-bank call serve the accounts of every customer in the request.
        if (wantsBalances) {
          void listing.then(
            (accounts) =>
              accounts.forEach((account) => {
                context.loaders.balance.load(account).catch(() => undefined);
              }),
            () => undefined,
          );
        }
        return listing;
      }),
    );
    const accounts: Account[] = [];
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') accounts.push(...outcome.value);
      else {
        const institutionId = (record.bankLinks[index] as { institutionId: string }).institutionId;
        addPartialError(context, info, outcome.reason instanceof FinGraphError ? outcome.reason : upstreamUnavailable(institutionId));
      }
    });
    return accounts;
  },
};
