// The transactions resource's query handling: booking-date filters and 25-a-page paging with absolute Links.
import type { SandboxRequest, SandboxResponse } from '../http/types.js';
import type { SeedTransaction } from '../seed/ledger.js';
import { parseTimestamp } from '../seed/time.js';
import { invalidField } from './errors.js';

export const transactionsPerPage = 25;

export interface TransactionPage {
  readonly items: readonly SeedTransaction[];
  readonly totalPages: number;
  readonly links: Record<string, string>;
}

/** The requested page of `transactions` (newest first), or the 400 response the request deserves. */
export function pageTransactions(
  request: SandboxRequest,
  basePath: string,
  transactions: readonly SeedTransaction[],
): TransactionPage | SandboxResponse {
  const bounds: Record<string, number> = {};
  for (const name of ['fromBookingDateTime', 'toBookingDateTime']) {
    const raw = request.query.get(name);
    if (raw === null) continue;
    const ms = parseTimestamp(raw);
    if (ms === undefined) return invalidField(name, `${name} must be an ISO 8601 date-time.`);
    bounds[name] = ms;
  }
  const from = bounds.fromBookingDateTime ?? -Infinity;
  const to = bounds.toBookingDateTime ?? Infinity;
  if (from > to) return invalidField('fromBookingDateTime', 'fromBookingDateTime must not be after toBookingDateTime.');

  const matching = transactions.filter((transaction) => transaction.at >= from && transaction.at <= to);
  const totalPages = Math.max(1, Math.ceil(matching.length / transactionsPerPage));
  const rawPage = request.query.get('page') ?? '1';
  const page = /^[1-9]\d{0,5}$/.test(rawPage) ? Number(rawPage) : 0;
  if (page < 1 || page > totalPages) return invalidField('page', `page must be an integer from 1 to ${totalPages}.`);

  const pageUrl = (n: number) => {
    const query = new URLSearchParams(request.query);
    query.set('page', String(n));
    return `${request.origin}${basePath}${request.path}?${query.toString()}`;
  };
  const links: Record<string, string> = { Self: `${request.origin}${request.target}` };
  if (totalPages > 1) {
    links.First = pageUrl(1);
    if (page > 1) links.Prev = pageUrl(page - 1);
    if (page < totalPages) links.Next = pageUrl(page + 1);
    links.Last = pageUrl(totalPages);
  }
  const start = (page - 1) * transactionsPerPage;
  return { items: matching.slice(start, start + transactionsPerPage), totalPages, links };
}

export function isResponse(value: TransactionPage | SandboxResponse): value is SandboxResponse {
  return 'status' in value;
}
