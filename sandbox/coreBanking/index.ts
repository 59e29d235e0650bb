// A US core-banking API (/core/{bank}/v1), one instance per bank. The tenant's API key sees every account the
// tenant's customers and organisation hold at the bank; anything else does not exist for it.
import { tenantForKey } from '../credentials.js';
import { bearerToken, idList, intParam, json } from '../http/io.js';
import type { Provider, Route, SandboxRequest, SandboxResponse } from '../http/types.js';
import type { LedgerBook } from '../seed/ledger.js';
import { parseTimestamp } from '../seed/time.js';
import type { CoreBank, SeedAccount, TenantId, World } from '../seed/types.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { coreError } from './errors.js';
import { accountJson, balanceJson, transactionJson } from './format.js';

export const coreBankingBasePath = (bank: CoreBank) => `/core/${bank}/v1`;

/** Most account ids one balances call may ask for. */
export const maxBalanceIds = 25;

type TenantHandler = (request: SandboxRequest, tenant: TenantId) => SandboxResponse;

export function createCoreBankingProvider(bank: CoreBank, world: World, ledgers: LedgerBook): Provider {
  const authed =
    (handler: TenantHandler) =>
    (request: SandboxRequest): SandboxResponse => {
      const tenant = tenantForKey(bank, bearerToken(request.headers));
      return tenant ? handler(request, tenant) : coreError('unauthorized', 'Missing or unknown API key.');
    };
  const visibleAccount = (id: string, tenant: TenantId): SeedAccount | undefined => {
    const account = world.accounts.get(id);
    return account && account.bank === bank && account.tenant === tenant ? account : undefined;
  };

  const routes: Route[] = [
    {
      method: 'GET',
      template: '/customers/{bank_customer_id}/accounts',
      handle: authed((request, tenant) => {
        const id = request.params.bank_customer_id ?? '';
        const customer = world.bankCustomers.get(id);
        if (!customer || customer.bank !== bank || customer.tenant !== tenant) return coreError('not_found', `No customer ${id}.`);
        const accounts = customer.accountIds.flatMap((accountId) => world.accounts.get(accountId) ?? []);
        return listPage(request, id, accounts, accountJson);
      }),
    },
    {
      method: 'GET',
      template: '/accounts/{id}',
      handle: authed((request, tenant) => {
        const account = visibleAccount(request.params.id ?? '', tenant);
        return account ? json(200, accountJson(account)) : coreError('not_found', 'No such account.');
      }),
    },
    {
      method: 'GET',
      template: '/balances',
      handle: authed((request, tenant) => {
        const ids = idList(request.query.get('account_ids') ?? '');
        if (ids.length === 0) return coreError('invalid_request', 'account_ids is required.');
        if (ids.length > maxBalanceIds) return coreError('invalid_request', `At most ${maxBalanceIds} account_ids per call.`);
        const data = ids.flatMap((id) => {
          const account = visibleAccount(id, tenant);
          return account ? [balanceJson(account, ledgers.ledgerFor(account), world.clock)] : [];
        });
        return json(200, { object: 'list', data });
      }),
    },
    {
      method: 'GET',
      template: '/accounts/{id}/transactions',
      handle: authed((request, tenant) => {
        const account = visibleAccount(request.params.id ?? '', tenant);
        if (!account) return coreError('not_found', 'No such account.');
        const bounds: Record<string, number> = {};
        for (const name of ['posted_after', 'posted_before']) {
          const raw = request.query.get(name);
          if (raw === null) continue;
          const ms = parseTimestamp(raw);
          if (ms === undefined) return coreError('invalid_request', `${name} must be an ISO 8601 timestamp.`);
          bounds[name] = ms;
        }
        const after = bounds.posted_after ?? -Infinity;
        const before = bounds.posted_before ?? Infinity;
        // Pending transactions have no posted_at yet; they are filtered by when they were created.
        const matching = ledgers.ledgerFor(account).transactions.filter((t) => t.at > after && t.at < before);
        return listPage(request, account.id, matching, (transaction) => transactionJson(transaction, account));
      }),
    },
  ];

  return {
    id: bank,
    basePath: coreBankingBasePath(bank),
    routes,
    failure(kind) {
      if (kind === 'unavailable') return coreError('unavailable', 'The bank is temporarily unavailable.');
      if (kind === 'internal') return coreError('internal_error', 'An unexpected error occurred.');
      return coreError('not_found', 'No such route.');
    },
  };
}

function listPage<T>(request: SandboxRequest, scope: string, items: readonly T[], render: (item: T) => object): SandboxResponse {
  const limit = intParam(request.query, 'limit', 25, 1, 100);
  if (limit === undefined) return coreError('invalid_request', 'limit must be an integer from 1 to 100.');
  const cursor = request.query.get('cursor');
  const offset = cursor === null ? 0 : decodeCursor(cursor, scope, items.length);
  if (offset === undefined) return coreError('invalid_request', 'cursor is not valid for this list.');
  const end = offset + limit;
  const hasMore = end < items.length;
  return json(200, {
    object: 'list',
    data: items.slice(offset, end).map(render),
    has_more: hasMore,
    next_cursor: hasMore ? encodeCursor(scope, end) : null,
  });
}
