// The Account entity: lookup by id (for `account(id:)` and for other subgraphs' references), balance through the
// batching loader, and transactions as a Relay connection.
import { z } from 'zod';
import { canReadOwner } from '../../../lib/auth/rowAccess.js';
import { accountTag, bankLinkTag } from '../../../lib/cache/index.js';
import { decodeAccountId } from '../../../lib/domain/accountId.js';
import { badUserInput, notFound } from '../../../lib/errors/index.js';
import { decodeCursor, encodeCursor, pageSize } from '../../../lib/graphql/cursor.js';
import type { AccountsContext } from '../context.js';
import type { Account as AccountModel, Transaction } from '../domain.js';
import { linkKey, ORGANISATION_OWNER } from '../domain.js';
import type { AccountResolvers } from '../generated/resolvers.js';
import { TENANT_TAG } from '../loaders.js';

const TRANSACTIONS_PAGE_MAX = 100;
/** How deep offset cursors may reach, and how many bank pages one field may read: a bound on what one request costs. */
const TRANSACTIONS_OFFSET_MAX = 5_000;
const UPSTREAM_PAGES_MAX = 60;

export async function loadAccount(context: AccountsContext, id: string): Promise<AccountModel> {
  const address = decodeAccountId(id);
  const { principal } = context;
  if (!address || address.tenant !== principal.tenant || !canReadOwner(principal, address.ownerId)) throw notFound('Account');
  if (address.ownerId !== ORGANISATION_OWNER && !(await context.loaders.customer.load(address.ownerId))) throw notFound('Account');
  // The owner may hold several consents at one bank; the account is behind one of them.
  const links = (await context.loaders.links(address.ownerId)).filter((entry) => entry.institutionId === address.institutionId);
  if (links.length === 0) throw notFound('Account');
  const listed = await context.loaders.accountsAt.loadMany(links.map((link) => ({ ownerId: address.ownerId, link })));
  for (const accounts of listed) {
    const account = accounts instanceof Error ? undefined : accounts.find((entry) => entry.upstreamId === address.upstreamId);
    if (account) return account;
  }
  const failure = listed.find((accounts): accounts is Error => accounts instanceof Error);
  if (failure) throw failure;
  throw notFound('Account');
}

function mask(accountNumber: string): string {
  return `••••${accountNumber.slice(-4)}`;
}

export const Account: AccountResolvers = {
  __resolveReference: (reference, context) => loadAccount(context, reference.id),

  institution(account, _, context) {
    const institution = context.services.institutions.find((entry) => entry.id === account.institutionId);
    // Accounts are only listed through banks FinGraph connects to. Should one not be, the field is non-null: this
    // fails it as returning nothing did (an internal error, masked), but says why in the log.
    if (!institution) throw new Error(`Account at ${account.institutionId}, which has no institution entry`);
    return institution;
  },

  maskedNumber: (account) => mask(account.accountNumber),

  balance: (account, _, context) => context.loaders.balance.load(account),

  async transactions(account, args, context) {
    const first = pageSize(args.first ?? 20, TRANSACTIONS_PAGE_MAX);
    const bookedFrom = args.bookedFrom ?? undefined;
    const bookedTo = args.bookedTo ?? undefined;
    if (bookedFrom && bookedTo && bookedFrom > bookedTo)
      throw badUserInput('bookedFrom must not be after bookedTo', { argument: 'bookedFrom' });
    let offset = 0;
    if (args.after) {
      const cursor = decodeCursor('transactions', args.after, {
        a: z.string(),
        o: z.number().int().min(1).max(TRANSACTIONS_OFFSET_MAX),
        f: z.string().optional(),
        t: z.string().optional(),
      });
      // A cursor belongs to one account and one filter; reusing it elsewhere would silently page the wrong list.
      if (cursor.a !== account.id || cursor.f !== bookedFrom || cursor.t !== bookedTo) {
        throw badUserInput('The cursor is not valid for this list', { argument: 'after' });
      }
      offset = cursor.o;
    }
    const { link } = account;
    const connector = context.services.bank(account.institutionId, context.principal.tenant);
    if (!connector) throw notFound('Account');

    const wanted = offset + first + 1;
    const collected: Transaction[] = [];
    let position: string | undefined;
    let pages = 0;
    do {
      if (pages === UPSTREAM_PAGES_MAX)
        throw badUserInput('Too deep into this list; narrow it with bookedFrom/bookedTo', { argument: 'after' });
      const query = { bookedFrom, bookedTo, wanted: wanted - collected.length };
      const at = position;
      const page = await context.services.cache.readThrough({
        // The newest page holds pending transactions, which change; older pages hold only booked ones.
        policy: at === undefined ? context.services.cachePolicy.recentTransactions : context.services.cachePolicy.bookedTransactions,
        scope: { tenant: context.principal.tenant },
        key: [account.id, at ?? '', bookedFrom ?? '', bookedTo ?? '', query.wanted],
        tags: [TENANT_TAG, accountTag(account.id), bankLinkTag(linkKey(link))],
        load: context.loaders.forgettingOnRevocation(link, () => connector.transactions(link, account.upstreamId, query, at)),
      });
      pages += 1;
      collected.push(...page.transactions);
      position = page.next;
    } while (position && collected.length < wanted);

    const edges = collected.slice(offset, offset + first).map((node, index) => ({
      cursor: encodeCursor('transactions', { a: account.id, o: offset + index + 1, f: bookedFrom, t: bookedTo }),
      node,
    }));
    return {
      edges,
      pageInfo: { hasNextPage: collected.length > offset + first || position !== undefined, endCursor: edges.at(-1)?.cursor ?? null },
    };
  },
};
