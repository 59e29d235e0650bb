// Shared by the sandbox tests: typed HTTP calls against a running sandbox and the wire shapes the tests read.
import { request as httpRequest } from 'node:http';

export interface HttpResult<T> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

export async function call<T>(
  url: string,
  options: { token?: string; headers?: Record<string, string>; method?: string; body?: unknown } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, body: (isJson ? JSON.parse(text) : text) as T, text, headers: response.headers };
}

/** GET with an explicit Host header (fetch will not send one of our choosing). */
export function getWithHost(url: string, host: string, token: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host, authorization: `Bearer ${token}` }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end();
  });
}

export const utcToday = (): string => new Date().toISOString().slice(0, 10);

/** Decimal string → integer minor units, insisting on exactly `decimals` digits after the point. */
export function toMinor(amount: string, decimals: number): number {
  const pattern = decimals === 0 ? /^\d+$/ : new RegExp(`^\\d+\\.\\d{${decimals}}$`);
  if (!pattern.test(amount)) throw new Error(`${amount} is not an amount with ${decimals} decimals`);
  return Number(amount.replace('.', ''));
}

export const currencyDecimals: Readonly<Record<string, number>> = { GBP: 2, USD: 2, EUR: 2, JPY: 0 };

export type BankLink =
  | { institution_id: string; type: 'open_banking'; consent_id: string; access_token: string; consent_expires_at: string }
  | { institution_id: string; type: 'core_banking'; bank_customer_id: string };
export type OpenBankingLink = Extract<BankLink, { type: 'open_banking' }>;
export type CoreBankingLink = Extract<BankLink, { type: 'core_banking' }>;

export interface Customer {
  object: 'customer';
  id: string;
  display_name: string;
  email: string;
  created: number;
  bank_links: BankLink[];
}
export interface CustomerList {
  object: 'list';
  data: Customer[];
  has_more: boolean;
  url: string;
}
export interface Organisation {
  object: 'organisation';
  id: string;
  name: string;
  bank_links: BankLink[];
}
export interface StripeError {
  error: { type: string; code: string; message: string };
}

export interface ObAmount {
  Amount: string;
  Currency: string;
}
export interface ObAccount {
  AccountId: string;
  Currency: string;
  AccountType: string;
  AccountSubType: string;
  OpeningDate: string;
  Nickname: string;
  Account: { SchemeName: string; Identification: string; Name: string }[];
}
export interface ObBalance {
  AccountId: string;
  Amount: ObAmount;
  CreditDebitIndicator: 'Credit' | 'Debit';
  Type: string;
  DateTime: string;
}
export interface ObTransaction {
  AccountId: string;
  TransactionId: string;
  CreditDebitIndicator: 'Credit' | 'Debit';
  Status: 'Booked' | 'Pending';
  BookingDateTime: string;
  Amount: ObAmount;
  TransactionInformation: string;
}
export interface ObLinks {
  Self: string;
  First?: string;
  Prev?: string;
  Next?: string;
  Last?: string;
}
export interface ObEnvelope<D> {
  Data: D;
  Links: ObLinks;
  Meta: { TotalPages: number; FirstAvailableDateTime?: string };
}
export interface ObError {
  Code: string;
  Id: string;
  Message: string;
  Errors: { ErrorCode: string; Message: string; Path?: string }[];
}

export interface CoreAccount {
  id: string;
  object: 'account';
  customer_id: string;
  type: string;
  currency: string;
  opened_at: string;
}
export interface CoreTransaction {
  id: string;
  account_id: string;
  amount: number;
  status: 'posted' | 'pending';
  posted_at: string | null;
  created_at: string;
}
export interface CoreList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}
export interface CoreBalance {
  account_id: string;
  currency: string;
  available: number;
  ledger: number;
  as_of: string;
}
export interface CoreError {
  error: { code: string; message: string };
}

/** Signed minor units of an OB amount. */
export function obSigned(item: { Amount: ObAmount; CreditDebitIndicator: 'Credit' | 'Debit' }): number {
  const minor = toMinor(item.Amount.Amount, currencyDecimals[item.Amount.Currency] ?? 2);
  return item.CreditDebitIndicator === 'Debit' ? -minor : minor;
}

export async function allCustomers(baseUrl: string, key: string): Promise<Customer[]> {
  const out: Customer[] = [];
  let after: string | undefined;
  for (;;) {
    const query = after ? `&starting_after=${after}` : '';
    const { body } = await call<CustomerList>(`${baseUrl}/directory/v1/customers?limit=100${query}`, { token: key });
    out.push(...body.data);
    if (!body.has_more) return out;
    after = body.data.at(-1)?.id;
  }
}

/** Follows Links.Next from `firstUrl` and returns every page. */
export async function obPages<D>(firstUrl: string, token: string): Promise<ObEnvelope<D>[]> {
  const pages: ObEnvelope<D>[] = [];
  let next: string | undefined = firstUrl;
  while (next) {
    const result: HttpResult<ObEnvelope<D>> = await call<ObEnvelope<D>>(next, { token });
    if (result.status !== 200) throw new Error(`GET ${next}: ${result.status} ${result.text}`);
    pages.push(result.body);
    next = result.body.Links.Next;
    if (pages.length > 100) throw new Error('more than 100 pages: Links.Next loops');
  }
  return pages;
}

/** Follows next_cursor from `firstUrl` (which must already have a query string) and returns every item. */
export async function coreItems<T>(firstUrl: string, token: string): Promise<T[]> {
  const items: T[] = [];
  let url = firstUrl;
  for (let pages = 0; pages < 100; pages++) {
    const result = await call<CoreList<T>>(url, { token });
    if (result.status !== 200) throw new Error(`GET ${url}: ${result.status} ${result.text}`);
    items.push(...result.body.data);
    if (!result.body.has_more || result.body.next_cursor === null) return items;
    url = `${firstUrl}&cursor=${result.body.next_cursor}`;
  }
  throw new Error('more than 100 pages: next_cursor loops');
}
