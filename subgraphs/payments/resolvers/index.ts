// The payments subgraph's resolver map, typed by the resolver types generated from its schema.

import { z } from 'zod';
import { canReadOwner } from '../../../lib/auth/rowAccess.js';
import { decodeAccountId, encodeAccountId } from '../../../lib/domain/accountId.js';
import { badUserInput, notFound } from '../../../lib/errors/index.js';
import { decodeCursor, encodeCursor, pageSize } from '../../../lib/graphql/cursor.js';
import { CurrencyCode, DateTime, Decimal, MoneyResolvers } from '../../../lib/graphql/scalars.js';
import { resourceId, UpstreamAction } from '../../../lib/subgraph/audit.js';
import { assertCanRead } from '../access.js';
import { cancelPayment } from '../cancel.js';
import type { PaymentsContext } from '../context.js';
import type { Payment as PaymentModel } from '../domain.js';
import type { AccountPaymentsArgs, CustomerPaymentsArgs, Resolvers } from '../generated/resolvers.js';
import { initiatePayment } from '../initiate.js';
import type { ListQuery } from '../store/paymentStore.js';
import { readStore } from './readStore.js';

const PAGE_MAX = 100;

async function loadPayment(context: PaymentsContext, id: string): Promise<PaymentModel> {
  return assertCanRead(context.principal, await readStore(() => context.services.store.get(context.principal.tenant, id)));
}

/** A Relay connection over one listing; its cursors are bound to that listing. */
async function connection(context: PaymentsContext, index: ListQuery['index'], args: CustomerPaymentsArgs | AccountPaymentsArgs) {
  const first = pageSize(args.first ?? 20, PAGE_MAX);
  const list = `${index.kind}:${index.id}`;
  let after: string | undefined;
  if (args.after) {
    const cursor = decodeCursor('payments', args.after, { l: z.string(), p: z.string().max(200) });
    if (cursor.l !== list) throw badUserInput('The cursor is not valid for this list', { argument: 'after' });
    after = cursor.p;
  }
  const page = await readStore(() => context.services.store.list({ tenant: context.principal.tenant, index, after, first }));
  const edges = page.payments.map((node) => ({
    cursor: encodeCursor('payments', { l: list, p: `${String(Date.parse(node.createdAt)).padStart(15, '0')}|${node.id}` }),
    node,
  }));
  return { edges, pageInfo: { hasNextPage: page.next !== undefined, endCursor: edges.at(-1)?.cursor ?? null } };
}

export const resolvers: Resolvers = {
  Decimal,
  CurrencyCode,
  DateTime,
  Money: MoneyResolvers,
  Query: {
    payment: (_, { id }, context) => loadPayment(context, id),
  },
  Mutation: {
    async initiatePayment(_, { input }, context) {
      // By the account debited until the payment exists, then by the payment; the counterparty's name and account
      // number go to the provider, so it is personal data.
      const payment = await context.audit.record(
        {
          action: UpstreamAction.PaymentCreate,
          personalData: true,
          resource: resourceId('account', input.sourceAccountId),
          resourceOf: (created) => resourceId('payment', created.id),
        },
        () => initiatePayment(context.services, context.principal, input),
      );
      return { payment };
    },
    async cancelPayment(_, { id }, context) {
      const payment = await context.audit.record(
        { action: UpstreamAction.PaymentCancel, personalData: false, resource: resourceId('payment', id) },
        () => cancelPayment(context.services, context.principal, id),
      );
      return { payment };
    },
  },
  Payment: {
    __resolveReference: (reference, context) => loadPayment(context, reference.id),
    amount: (payment) => ({ minor: BigInt(payment.amountMinor), currency: payment.currency }),
    sourceAccount: (payment) => ({ id: payment.sourceAccountId }),
  },
  Customer: {
    __resolveReference: (reference) => ({ id: reference.id }),
    payments(customer, args, context) {
      if (!canReadOwner(context.principal, customer.id)) throw notFound('Customer');
      return connection(context, { kind: 'owner', id: customer.id }, args);
    },
  },
  Account: {
    __resolveReference: (reference) => ({ id: reference.id }),
    payments(account, args, context) {
      const address = decodeAccountId(account.id);
      if (!address || address.tenant !== context.principal.tenant || !canReadOwner(context.principal, address.ownerId))
        throw notFound('Account');
      return connection(context, { kind: 'account', id: encodeAccountId(address) }, args);
    },
  },
};
