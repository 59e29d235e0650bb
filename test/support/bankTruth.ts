// What the banks themselves say, read straight from the sandbox's provider APIs and summed with decimal.js — an
// independent computation of the figures FinGraph should serve, sharing no code with the connectors or lib/money.
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { fromRoot } from '../../lib/config/paths.js';
import type { Stack } from './stack.js';

/** Anything that can read the sandbox providers' own APIs: the whole stack, or one subgraph's harness. */
export type Upstreams = Pick<Stack, 'upstream'>;

const D = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -100, toExpPos: 100 });
type Dec = InstanceType<typeof D>;

export const credentials = JSON.parse(readFileSync(fromRoot('sandbox', 'credentials.dev.json'), 'utf8')) as Record<
  string,
  Record<string, string>
>;

const decimalsOf = (currency: string) => (['JPY', 'KRW', 'ISK'].includes(currency) ? 0 : ['BHD', 'KWD', 'JOD'].includes(currency) ? 3 : 2);
export const formatIn = (amount: Dec, currency: string) => amount.toFixed(decimalsOf(currency), D.ROUND_HALF_EVEN);

export interface Link {
  institution_id: string;
  type: string;
  access_token?: string;
  bank_customer_id?: string;
}
export interface Holding {
  institutionId: string;
  accountId: string;
  currency: string;
  booked: Dec;
}

const obBase = (bank: string) => `/ob/${bank}/open-banking/v3.1/aisp`;

async function obHoldings(stack: Upstreams, link: Link): Promise<Holding[]> {
  const token = link.access_token as string;
  const balances = (await stack.upstream(`${obBase(link.institution_id)}/balances`, token)) as {
    Data: {
      Balance: Array<{ AccountId: string; Type: string; CreditDebitIndicator: string; Amount: { Amount: string; Currency: string } }>;
    };
  };
  const accounts = (await stack.upstream(`${obBase(link.institution_id)}/accounts`, token)) as {
    Data: { Account: Array<{ AccountId: string }> };
  };
  return accounts.Data.Account.map(({ AccountId }) => {
    const mine = balances.Data.Balance.filter((entry) => entry.AccountId === AccountId);
    const booked = mine.find((entry) => entry.Type === 'InterimBooked') ?? mine.find((entry) => entry.Type === 'ClosingBooked');
    if (!booked) throw new Error(`no booked balance for ${AccountId}`);
    const amount = new D(booked.Amount.Amount);
    return {
      institutionId: link.institution_id,
      accountId: AccountId,
      currency: booked.Amount.Currency,
      booked: booked.CreditDebitIndicator === 'Debit' ? amount.neg() : amount,
    };
  });
}

async function coreHoldings(stack: Upstreams, tenant: string, link: Link): Promise<Holding[]> {
  const key = credentials[tenant]?.[link.institution_id] as string;
  const base = `/core/${link.institution_id}/v1`;
  const accounts: Array<{ id: string }> = [];
  let cursor: string | undefined;
  do {
    const page = (await stack.upstream(
      `${base}/customers/${link.bank_customer_id}/accounts?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      key,
    )) as {
      data: Array<{ id: string }>;
      has_more: boolean;
      next_cursor?: string | null;
    };
    accounts.push(...page.data);
    cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined;
  } while (cursor);
  const holdings: Holding[] = [];
  for (let i = 0; i < accounts.length; i += 25) {
    const ids = accounts
      .slice(i, i + 25)
      .map((account) => account.id)
      .join(',');
    const page = (await stack.upstream(`${base}/balances?account_ids=${ids}`, key)) as {
      data: Array<{ account_id: string; currency: string; ledger: number }>;
    };
    for (const entry of page.data) {
      const currency = entry.currency.toUpperCase();
      holdings.push({
        institutionId: link.institution_id,
        accountId: entry.account_id,
        currency,
        booked: new D(entry.ledger).div(new D(10).pow(decimalsOf(currency))),
      });
    }
  }
  return holdings;
}

/** One account's ledger balance as a core bank states it (read after any call count that matters: it is a call too). */
export async function coreBalance(
  stack: Upstreams,
  tenant: string,
  bank: string,
  accountId: string,
): Promise<{ amount: string; currency: string }> {
  const page = (await stack.upstream(`/core/${bank}/v1/balances?account_ids=${accountId}`, credentials[tenant]?.[bank] as string)) as {
    data: Array<{ account_id: string; currency: string; ledger: number }>;
  };
  const entry = page.data.find((item) => item.account_id === accountId);
  if (!entry) throw new Error(`${bank} has no balance for ${accountId}`);
  const currency = entry.currency.toUpperCase();
  return { amount: formatIn(new D(entry.ledger).div(new D(10).pow(decimalsOf(currency))), currency), currency };
}

/** Every account a customer holds through its bank links, with its booked balance as the bank states it. */
export async function customerHoldings(stack: Upstreams, tenant: string, links: readonly Link[]): Promise<Holding[]> {
  const all = await Promise.all(
    links.map((link) => (link.type === 'open_banking' ? obHoldings(stack, link) : coreHoldings(stack, tenant, link))),
  );
  return all.flat();
}

export async function organisationHoldings(stack: Upstreams, tenant: string): Promise<Holding[]> {
  const org = (await stack.upstream('/directory/v1/organisation', credentials[tenant]?.directory as string)) as { bank_links: Link[] };
  const all = await Promise.all(
    org.bank_links.map((link) => (link.type === 'open_banking' ? obHoldings(stack, link) : coreHoldings(stack, tenant, link))),
  );
  return all.flat();
}

export async function ecbRates(stack: Upstreams): Promise<Map<string, Dec>> {
  const xml = (await stack.upstream('/fx/ecb/eurofxref-daily.xml', 'none')) as string;
  const rates = new Map<string, Dec>([['EUR', new D(1)]]);
  for (const match of xml.matchAll(/currency=['"]([A-Z]{3})['"]\s+rate=['"]([0-9.]+)['"]/g))
    rates.set(match[1] as string, new D(match[2] as string));
  return rates;
}

/** The documented rule, restated: cross rate to 12 significant digits half-even; converted rounded half-even. */
export function expectedCash(holdings: Holding[], rates: Map<string, Dec>, reporting: string) {
  const rate = (currency: string) =>
    currency === reporting
      ? new D(1)
      : (rates.get(reporting) as Dec).div(rates.get(currency) as Dec).toSignificantDigits(12, D.ROUND_HALF_EVEN);
  const convert = (amount: Dec, currency: string) => amount.times(rate(currency)).toDecimalPlaces(decimalsOf(reporting), D.ROUND_HALF_EVEN);
  const sumBy = (entries: Holding[]) => {
    const totals = new Map<string, Dec>();
    for (const entry of entries) totals.set(entry.currency, (totals.get(entry.currency) ?? new D(0)).plus(entry.booked));
    return totals;
  };
  const byCurrency = new Map(
    [...sumBy(holdings)].map(([currency, native]) => [
      currency,
      {
        native: formatIn(native, currency),
        converted: formatIn(convert(native, currency), reporting),
        rate: rate(currency).toString(),
      },
    ]),
  );
  const total = [...sumBy(holdings)].reduce((acc, [currency, native]) => acc.plus(convert(native, currency)), new D(0));
  const institutions = [...new Set(holdings.map((entry) => entry.institutionId))];
  const byInstitution = new Map(
    institutions.map((id) => {
      const mine = holdings.filter((entry) => entry.institutionId === id);
      const bankTotal = [...sumBy(mine)].reduce((acc, [currency, native]) => acc.plus(convert(native, currency)), new D(0));
      return [id, { total: formatIn(bankTotal, reporting), accountCount: mine.length }];
    }),
  );
  return { total: formatIn(total, reporting), byCurrency, byInstitution };
}
