// Connector for US-style core banking APIs: integer minor units, lowercase currency codes, has_more/next_cursor lists,
// and a bulk balances endpoint that takes at most BALANCE_IDS_PER_CALL account ids per call.
import { z } from 'zod';
import { notFound, upstreamUnavailable } from '../../../lib/errors/index.js';
import type { UpstreamClient } from '../../../lib/http/upstreamClient.js';
import { currencyCodeSchema, moneyFromMinor } from '../../../lib/money/index.js';
import type {
  AccountType,
  Balance,
  BankAccount,
  BankLink,
  Institution,
  Transaction,
  TransactionPage,
  TransactionQuery,
} from '../domain.js';
import type { BankConnector } from './bankConnector.js';

/** The bank's documented maximum for GET /balances?account_ids=… */
export const BALANCE_IDS_PER_CALL = 25;
const PAGE_LIMIT_MAX = 100;

const currency = currencyCodeSchema;
const minor = z.number().int().refine(Number.isSafeInteger);

const accountSchema = z.object({
  id: z.string().min(1),
  type: z.enum(['checking', 'savings', 'money_market']),
  currency,
  nickname: z.string().nullish(),
  account_number: z.string().min(4),
});
const accountsPayload = z.object({ data: z.array(accountSchema), has_more: z.boolean(), next_cursor: z.string().nullish() });
const balancesPayload = z.object({
  data: z.array(z.object({ account_id: z.string(), currency, available: minor, ledger: minor, as_of: z.string() })),
});
const transactionsPayload = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      amount: minor,
      currency,
      status: z.enum(['posted', 'pending']),
      description: z.string().nullish(),
      posted_at: z.string().nullish(),
      created_at: z.string(),
    }),
  ),
  has_more: z.boolean(),
  next_cursor: z.string().nullish(),
});

const accountTypes: Record<z.infer<typeof accountSchema>['type'], AccountType> = {
  checking: 'CHECKING',
  savings: 'SAVINGS',
  money_market: 'MONEY_MARKET',
};

export class CoreBankingConnector implements BankConnector {
  constructor(
    readonly institution: Institution,
    private readonly client: UpstreamClient,
    private readonly apiKey: string,
  ) {}

  private customerOf(link: BankLink): string {
    if (link.kind !== 'core_banking') throw upstreamUnavailable(this.institution.id);
    return link.bankCustomerId;
  }

  private async read<T>(path: string, schema: z.ZodType<T>, query?: Record<string, string | number | undefined>): Promise<T> {
    return this.client.read({ path, query, headers: { authorization: `Bearer ${this.apiKey}` } }, schema, (status) =>
      status === 404 ? notFound('Account') : undefined,
    );
  }

  async listAccounts(link: BankLink): Promise<BankAccount[]> {
    const customer = encodeURIComponent(this.customerOf(link));
    const accounts: BankAccount[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.read(`customers/${customer}/accounts`, accountsPayload, { limit: PAGE_LIMIT_MAX, cursor });
      for (const account of page.data) {
        accounts.push({
          upstreamId: account.id,
          type: accountTypes[account.type],
          currency: account.currency,
          nickname: account.nickname ?? null,
          accountNumber: account.account_number,
        });
      }
      cursor = page.has_more && page.next_cursor ? page.next_cursor : undefined;
    } while (cursor);
    return accounts;
  }

  async balances(link: BankLink, upstreamAccountIds: readonly string[]): Promise<Map<string, Balance>> {
    this.customerOf(link);
    const chunks: string[][] = [];
    for (let i = 0; i < upstreamAccountIds.length; i += BALANCE_IDS_PER_CALL) {
      chunks.push(upstreamAccountIds.slice(i, i + BALANCE_IDS_PER_CALL));
    }
    const pages = await Promise.all(chunks.map((ids) => this.read('balances', balancesPayload, { account_ids: ids.join(',') })));
    const result = new Map<string, Balance>();
    for (const entry of pages.flatMap((page) => page.data)) {
      result.set(entry.account_id, {
        available: moneyFromMinor(entry.available, entry.currency),
        current: moneyFromMinor(entry.ledger, entry.currency),
        asOf: new Date(entry.as_of).toISOString(),
      });
    }
    return result;
  }

  async transactions(link: BankLink, upstreamAccountId: string, query: TransactionQuery, position?: string): Promise<TransactionPage> {
    this.customerOf(link);
    // The bank's posted_after/posted_before are strict and its timestamps whole seconds; FinGraph's range is inclusive
    // (as Open Banking's is). Ask one second wider, then keep exactly the inclusive range.
    const page = await this.read(`accounts/${encodeURIComponent(upstreamAccountId)}/transactions`, transactionsPayload, {
      limit: Math.min(Math.max(query.wanted, 1), PAGE_LIMIT_MAX),
      cursor: position,
      posted_after: query.bookedFrom ? new Date(Date.parse(query.bookedFrom) - 1000).toISOString() : undefined,
      posted_before: query.bookedTo ? new Date(Date.parse(query.bookedTo) + 1000).toISOString() : undefined,
    });
    const transactions: Transaction[] = page.data
      .map(
        (entry) =>
          ({
            id: entry.id,
            amount: moneyFromMinor(Math.abs(entry.amount), entry.currency),
            direction: entry.amount < 0 ? 'DEBIT' : 'CREDIT',
            status: entry.status === 'posted' ? 'BOOKED' : 'PENDING',
            description: entry.description ?? null,
            bookedAt: new Date(entry.posted_at ?? entry.created_at).toISOString(),
          }) as const,
      )
      .filter(
        (entry) => (!query.bookedFrom || entry.bookedAt >= query.bookedFrom) && (!query.bookedTo || entry.bookedAt <= query.bookedTo),
      );
    return { transactions, next: page.has_more && page.next_cursor ? page.next_cursor : undefined };
  }
}
