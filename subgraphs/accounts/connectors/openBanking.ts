// Connector for banks speaking UK Open Banking Read/Write API v3.1 (Account and Transaction, AISP). Parses the
// Data/Links/Meta envelope at this edge into the domain model; amounts are decimal strings with a CreditDebitIndicator.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { consentRequired, notFound, upstreamUnavailable } from '../../../lib/errors/index.js';
import type { UpstreamClient } from '../../../lib/http/upstreamClient.js';
import { currencyCodeSchema, type Money, moneyFromDecimal, negate } from '../../../lib/money/index.js';
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

const currency = currencyCodeSchema;
/** An OB amount parsed straight into exact money; a malformed one fails validation like any other bad field. */
const amount = z.object({ Amount: z.string(), Currency: currency }).transform((value, ctx): Money => {
  try {
    return moneyFromDecimal(value.Amount, value.Currency);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'malformed amount' });
    return z.NEVER;
  }
});
const indicator = z.enum(['Credit', 'Debit']);
const links = z.object({ Self: z.string().optional(), Next: z.string().optional() }).optional();

const accountsPayload = z.object({
  Data: z.object({
    Account: z
      .array(
        z.object({
          AccountId: z.string().min(1),
          Currency: currency,
          AccountSubType: z.string().optional(),
          Nickname: z.string().optional(),
          Account: z.array(z.object({ SchemeName: z.string(), Identification: z.string().min(4) })).min(1),
        }),
      )
      .default([]),
  }),
});

const balancesPayload = z.object({
  Data: z.object({
    Balance: z
      .array(
        z.object({
          AccountId: z.string(),
          Amount: amount,
          CreditDebitIndicator: indicator,
          Type: z.string(),
          DateTime: z.string(),
        }),
      )
      .default([]),
  }),
});

const transactionsPayload = z.object({
  Data: z.object({
    Transaction: z
      .array(
        z.object({
          TransactionId: z.string(),
          CreditDebitIndicator: indicator,
          Status: z.enum(['Booked', 'Pending', 'Rejected']),
          BookingDateTime: z.string().optional(),
          TransactionInformation: z.string().optional(),
          Amount: amount,
        }),
      )
      .default([]),
  }),
  Links: links,
});

const subTypes: Record<string, AccountType> = { CurrentAccount: 'CURRENT', Savings: 'SAVINGS' };

function signed(money: Money, direction: 'Credit' | 'Debit'): Money {
  return direction === 'Debit' ? negate(money) : money;
}

/** InterimBooked is the bank's live ledger; ClosingBooked (end of the previous day) stands in when it is absent. */
function pickBalance(entries: z.infer<typeof balancesPayload>['Data']['Balance']): Balance | undefined {
  const byType = new Map(entries.map((entry) => [entry.Type, entry]));
  const booked = byType.get('InterimBooked') ?? byType.get('ClosingBooked');
  if (!booked) return undefined;
  const available = byType.get('InterimAvailable');
  return {
    current: signed(booked.Amount, booked.CreditDebitIndicator),
    available: available ? signed(available.Amount, available.CreditDebitIndicator) : null,
    asOf: new Date(booked.DateTime).toISOString(),
  };
}

export class OpenBankingConnector implements BankConnector {
  constructor(
    readonly institution: Institution,
    private readonly client: UpstreamClient,
    private readonly financialId?: string,
  ) {}

  private consentOf(link: BankLink): { accessToken: string } {
    if (link.kind !== 'open_banking') throw upstreamUnavailable(this.institution.id);
    return link;
  }

  private async read<T>(link: BankLink, path: string, schema: z.ZodType<T>, query?: Record<string, string | undefined>): Promise<T> {
    const { accessToken } = this.consentOf(link);
    return this.client.read(
      {
        path,
        query,
        headers: {
          authorization: `Bearer ${accessToken}`,
          'x-fapi-interaction-id': randomUUID(),
          ...(this.financialId ? { 'x-fapi-financial-id': this.financialId } : {}),
        },
      },
      schema,
      (status) => {
        // 403 on a resource endpoint: the consent behind the token is expired, revoked or lacks the permission.
        if (status === 403) return consentRequired(this.institution.id);
        if (status === 404) return notFound('Account');
        return undefined;
      },
    );
  }

  async listAccounts(link: BankLink): Promise<BankAccount[]> {
    const payload = await this.read(link, 'accounts', accountsPayload);
    return payload.Data.Account.map((account) => ({
      upstreamId: account.AccountId,
      type: subTypes[account.AccountSubType ?? ''] ?? 'CURRENT',
      currency: account.Currency,
      nickname: account.Nickname ?? null,
      accountNumber: (account.Account[0] as { Identification: string }).Identification,
    }));
  }

  /** One GET /balances covers every account under the consent, whatever the number asked for. */
  async balances(link: BankLink, upstreamAccountIds: readonly string[]): Promise<Map<string, Balance>> {
    const payload =
      upstreamAccountIds.length === 1
        ? await this.read(link, `accounts/${encodeURIComponent(upstreamAccountIds[0] as string)}/balances`, balancesPayload)
        : await this.read(link, 'balances', balancesPayload);
    const wanted = new Set(upstreamAccountIds);
    const grouped = new Map<string, typeof payload.Data.Balance>();
    for (const entry of payload.Data.Balance) {
      if (!wanted.has(entry.AccountId)) continue;
      grouped.set(entry.AccountId, [...(grouped.get(entry.AccountId) ?? []), entry]);
    }
    const result = new Map<string, Balance>();
    for (const [accountId, entries] of grouped) {
      const balance = pickBalance(entries);
      if (balance) result.set(accountId, balance);
    }
    return result;
  }

  async transactions(link: BankLink, upstreamAccountId: string, query: TransactionQuery, position?: string): Promise<TransactionPage> {
    const payload = position
      ? await this.read(link, position, transactionsPayload)
      : await this.read(link, `accounts/${encodeURIComponent(upstreamAccountId)}/transactions`, transactionsPayload, {
          fromBookingDateTime: query.bookedFrom,
          toBookingDateTime: query.bookedTo,
        });
    const transactions: Transaction[] = payload.Data.Transaction.filter((entry) => entry.Status !== 'Rejected').map((entry) => ({
      id: entry.TransactionId,
      amount: entry.Amount,
      direction: entry.CreditDebitIndicator === 'Credit' ? 'CREDIT' : 'DEBIT',
      status: entry.Status === 'Booked' ? 'BOOKED' : 'PENDING',
      description: entry.TransactionInformation ?? null,
      bookedAt: entry.BookingDateTime ? new Date(entry.BookingDateTime).toISOString() : null,
    }));
    return { transactions, next: payload.Links?.Next };
  }
}
