// Open Banking AISP: envelope and paging, interaction ids, balances that agree with transactions, consent rules.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import {
  allCustomers,
  type Customer,
  call,
  currencyDecimals,
  getWithHost,
  type HttpResult,
  type ObAccount,
  type ObBalance,
  type ObEnvelope,
  type ObError,
  type ObTransaction,
  type OpenBankingLink,
  type Organisation,
  obPages,
  obSigned,
  toMinor,
  utcToday,
} from './helpers.js';

const dayMs = 86_400_000;
const obLink = (links: Customer['bank_links'], bank: string) =>
  links.find((l): l is OpenBankingLink => l.type === 'open_banking' && l.institution_id === bank);

describe('open banking (northwind)', () => {
  let sandbox: Sandbox;
  let base = '';
  let anchorStart = 0;
  let orgLink: OpenBankingLink;
  let orgAccounts: ObAccount[] = [];
  let customers: Customer[] = [];

  before(async () => {
    // Consent expiry is judged on the real clock, so the anchor is today.
    sandbox = await createSandbox({ port: 0, anchorDate: utcToday(), latency: 'none' });
    base = `${sandbox.url}/ob/northwind/open-banking/v3.1/aisp`;
    anchorStart = Date.parse(`${sandbox.anchorDate}T00:00:00Z`);
    const org = await call<Organisation>(`${sandbox.url}/directory/v1/organisation`, { token: credentials.acme.directory });
    const link = obLink(org.body.bank_links, 'northwind');
    assert.ok(link);
    orgLink = link;
    const accounts = await call<ObEnvelope<{ Account: ObAccount[] }>>(`${base}/accounts`, { token: orgLink.access_token });
    orgAccounts = accounts.body.Data.Account;
    customers = await allCustomers(sandbox.url, credentials.acme.directory);
  });
  after(() => sandbox.close());

  const transactionsOf = async (accountId: string, token: string) => {
    const pages = await obPages<{ Transaction: ObTransaction[] }>(`${base}/accounts/${accountId}/transactions`, token);
    return { pages, transactions: pages.flatMap((page) => page.Data.Transaction) };
  };
  const balancesOf = async (accountId: string, token: string) => {
    const result = await call<ObEnvelope<{ Balance: ObBalance[] }>>(`${base}/accounts/${accountId}/balances`, { token });
    assert.equal(result.status, 200, result.text);
    const byType = new Map(result.body.Data.Balance.map((balance) => [balance.Type, obSigned(balance)]));
    assert.deepEqual([...byType.keys()].sort(), ['ClosingBooked', 'InterimAvailable', 'InterimBooked']);
    return {
      available: byType.get('InterimAvailable') ?? NaN,
      booked: byType.get('InterimBooked') ?? NaN,
      closing: byType.get('ClosingBooked') ?? NaN,
    };
  };

  it('lists the organisation’s business accounts in the Data/Links/Meta envelope', async () => {
    const result = await call<ObEnvelope<{ Account: ObAccount[] }>>(`${base}/accounts`, { token: orgLink.access_token });
    assert.equal(result.status, 200);
    assert.equal(result.body.Links.Self, `${base}/accounts`);
    assert.equal(result.body.Meta.TotalPages, 1);
    assert.ok(orgAccounts.length >= 8 && orgAccounts.length <= 12, `${orgAccounts.length} accounts`);
    for (const currency of ['USD', 'GBP', 'EUR'])
      assert.ok(
        orgAccounts.some((a) => a.Currency === currency),
        currency,
      );
    for (const account of orgAccounts) {
      assert.equal(account.AccountType, 'Business');
      const scheme = account.Account[0];
      assert.ok(scheme);
      if (account.Currency === 'GBP') assert.match(scheme.Identification, /^3096\d{10}$/);
      else assert.match(scheme.Identification, /^GB\d{2}NWND3096\d{10}$/);
    }
  });

  it('pages transactions 25 at a time through absolute Links.Next, newest first, without duplicates', async () => {
    const account = orgAccounts[0];
    assert.ok(account);
    const { pages, transactions } = await transactionsOf(account.AccountId, orgLink.access_token);
    const totalPages = pages[0]?.Meta.TotalPages ?? 0;
    assert.ok(totalPages > 1, 'a corporate account has several pages');
    assert.equal(pages.length, totalPages);
    assert.ok(transactions.length > (totalPages - 1) * 25 && transactions.length <= totalPages * 25);
    for (const page of pages.slice(0, -1)) assert.equal(page.Data.Transaction.length, 25);
    assert.equal(new Set(transactions.map((t) => t.TransactionId)).size, transactions.length);
    const times = transactions.map((t) => Date.parse(t.BookingDateTime));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    assert.ok(Date.parse(transactions.at(-1)?.BookingDateTime ?? '') >= anchorStart - 91 * dayMs);
    const [firstPage, secondPage] = pages;
    assert.equal(firstPage?.Links.Next, `${base}/accounts/${account.AccountId}/transactions?page=2`);
    assert.equal(firstPage?.Links.Prev, undefined);
    assert.equal(secondPage?.Links.Prev, `${base}/accounts/${account.AccountId}/transactions?page=1`);
    assert.equal(pages.at(-1)?.Links.Next, undefined);
    assert.ok(
      transactions.some((t) => t.Status === 'Pending'),
      'the newest few are pending',
    );
    assert.equal(transactions[0]?.Status, 'Pending');
    for (const t of transactions) toMinor(t.Amount.Amount, currencyDecimals[t.Amount.Currency] ?? -1);
  });

  it('filters by booking date and keeps the filter in the paging links', async () => {
    const account = orgAccounts[1];
    assert.ok(account);
    const { transactions: all } = await transactionsOf(account.AccountId, orgLink.access_token);
    const from = new Date(anchorStart - 20 * dayMs).toISOString();
    const to = new Date(anchorStart - 3 * dayMs).toISOString();
    const query = `fromBookingDateTime=${encodeURIComponent(from)}&toBookingDateTime=${encodeURIComponent(to)}`;
    const pages = await obPages<{ Transaction: ObTransaction[] }>(
      `${base}/accounts/${account.AccountId}/transactions?${query}`,
      orgLink.access_token,
    );
    const filtered = pages.flatMap((page) => page.Data.Transaction.map((t) => t.TransactionId));
    const expected = all.filter(
      (t) => Date.parse(t.BookingDateTime) >= Date.parse(from) && Date.parse(t.BookingDateTime) <= Date.parse(to),
    );
    assert.ok(expected.length > 0);
    assert.deepEqual(
      filtered,
      expected.map((t) => t.TransactionId),
    );
    assert.ok(pages.length > 1, 'seventeen days of corporate activity span several pages');
    assert.ok(pages[0]?.Links.Next?.includes(`fromBookingDateTime=${encodeURIComponent(from)}`));
  });

  it('rejects an invalid booking date or page with 400 UK.OBIE.Field.Invalid', async () => {
    const account = orgAccounts[0];
    assert.ok(account);
    for (const query of ['fromBookingDateTime=yesterday', 'toBookingDateTime=2026-02-30T00:00:00Z', 'page=0', 'page=999']) {
      const result: HttpResult<ObError> = await call<ObError>(`${base}/accounts/${account.AccountId}/transactions?${query}`, {
        token: orgLink.access_token,
      });
      assert.equal(result.status, 400, query);
      assert.equal(result.body.Errors[0]?.ErrorCode, 'UK.OBIE.Field.Invalid', query);
    }
  });

  it('builds absolute links from the request’s Host header', async () => {
    const result = await getWithHost(`${base}/accounts`, 'bank.example.test:8443', orgLink.access_token);
    const body = result.body as ObEnvelope<unknown>;
    assert.equal(result.status, 200);
    assert.equal(body.Links.Self, 'http://bank.example.test:8443/ob/northwind/open-banking/v3.1/aisp/accounts');
  });

  it('echoes x-fapi-interaction-id, and mints a UUID when none is sent (errors too)', async () => {
    const echoed = await call(`${base}/accounts`, {
      token: orgLink.access_token,
      headers: { 'x-fapi-interaction-id': 'test-interaction-42' },
    });
    assert.equal(echoed.headers.get('x-fapi-interaction-id'), 'test-interaction-42');
    const minted = await call(`${base}/accounts`, { token: 'not-a-token' });
    assert.equal(minted.status, 401);
    assert.match(minted.headers.get('x-fapi-interaction-id') ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('has organisation balances that are large and agree with the day’s transactions', async () => {
    for (const account of orgAccounts.slice(0, 3)) {
      const { available, booked, closing } = await balancesOf(account.AccountId, orgLink.access_token);
      const { transactions } = await transactionsOf(account.AccountId, orgLink.access_token);
      const pending = transactions.filter((t) => t.Status === 'Pending').reduce((sum, t) => sum + obSigned(t), 0);
      const bookedToday = transactions
        .filter((t) => t.Status === 'Booked' && Date.parse(t.BookingDateTime) >= anchorStart)
        .reduce((sum, t) => sum + obSigned(t), 0);
      assert.equal(available, booked + pending, account.AccountId);
      assert.equal(closing, booked - bookedToday, account.AccountId);
      if (account.Currency !== 'JPY') assert.ok(booked >= 10_000_00, `${account.Currency} ${booked} is a corporate balance`);
    }
  });

  it('has a customer account opened inside the window whose booked balance is exactly the sum of its transactions', async () => {
    const recentOpening = anchorStart - 89 * dayMs;
    let checked = 0;
    for (const customer of customers) {
      const link = obLink(customer.bank_links, 'northwind');
      if (!link || Date.parse(link.consent_expires_at) <= Date.now()) continue;
      const accounts = await call<ObEnvelope<{ Account: ObAccount[] }>>(`${base}/accounts`, { token: link.access_token });
      const fresh = accounts.body.Data.Account.find((a) => Date.parse(a.OpeningDate) > recentOpening);
      if (!fresh) continue;
      const { available, booked, closing } = await balancesOf(fresh.AccountId, link.access_token);
      const { transactions } = await transactionsOf(fresh.AccountId, link.access_token);
      const sum = (status: string, since = -Infinity) =>
        transactions
          .filter((t) => t.Status === status && Date.parse(t.BookingDateTime) >= since)
          .reduce((total, t) => total + obSigned(t), 0);
      assert.equal(booked, sum('Booked'), `${customer.id} ${fresh.AccountId}: InterimBooked = sum of booked`);
      assert.equal(available, booked + sum('Pending'));
      assert.equal(closing, booked - sum('Booked', anchorStart));
      checked++;
      break;
    }
    assert.equal(checked, 1, 'acme has a northwind customer account opened within the last 90 days');
  });

  it('answers 403 UK.OBIE.Resource.InvalidConsentStatus on an expired consent', async () => {
    const expired = customers
      .map((customer) => obLink(customer.bank_links, 'northwind'))
      .find((link) => link !== undefined && Date.parse(link.consent_expires_at) < anchorStart);
    assert.ok(expired, 'acme has an expired northwind consent');
    for (const path of ['/accounts', '/balances']) {
      const result: HttpResult<ObError> = await call<ObError>(`${base}${path}`, { token: expired.access_token });
      assert.equal(result.status, 403, path);
      assert.equal(result.body.Errors[0]?.ErrorCode, 'UK.OBIE.Resource.InvalidConsentStatus');
    }
    const consent = await call<{ Data: { ConsentId: string; Status: string; ExpirationDateTime: string; Permissions: string[] } }>(
      `${base}/account-access-consents/${expired.consent_id}`,
      { token: credentials.acme.northwind },
    );
    assert.equal(consent.status, 200);
    assert.equal(consent.body.Data.ConsentId, expired.consent_id);
    assert.equal(Date.parse(consent.body.Data.ExpirationDateTime), Date.parse(expired.consent_expires_at));
    assert.ok(consent.body.Data.Permissions.includes('ReadBalances'));
    const otherTenant = await call(`${base}/account-access-consents/${expired.consent_id}`, { token: credentials.globex.northwind });
    assert.equal(otherTenant.status, 404);
  });

  it('answers /balances with three balances per account of the consent', async () => {
    const result = await call<ObEnvelope<{ Balance: ObBalance[] }>>(`${base}/balances`, { token: orgLink.access_token });
    assert.equal(result.status, 200);
    assert.equal(result.body.Data.Balance.length, orgAccounts.length * 3);
    assert.deepEqual(new Set(result.body.Data.Balance.map((b) => b.AccountId)), new Set(orgAccounts.map((a) => a.AccountId)));
  });

  it('hides accounts outside the consent (404) and refuses unknown or other banks’ tokens (401)', async () => {
    const customerLink = customers
      .map((c) => obLink(c.bank_links, 'northwind'))
      .find((l) => l && Date.parse(l.consent_expires_at) > Date.now());
    assert.ok(customerLink);
    const orgAccount = orgAccounts[0];
    assert.ok(orgAccount);
    const outside = await call<ObError>(`${base}/accounts/${orgAccount.AccountId}/balances`, { token: customerLink.access_token });
    assert.equal(outside.status, 404);
    assert.equal(outside.body.Errors[0]?.ErrorCode, 'UK.OBIE.Resource.NotFound');
    const albionLink = customers.map((c) => obLink(c.bank_links, 'albion')).find((l) => l !== undefined);
    assert.ok(albionLink);
    assert.equal((await call(`${base}/accounts`, { token: albionLink.access_token })).status, 401);
    assert.equal((await call(`${base}/accounts`)).status, 401);
  });

  it('formats yen amounts with no decimals (acme’s seeded JPY account is at northwind)', async () => {
    const yen = orgAccounts.find((a) => a.Currency === 'JPY');
    assert.ok(yen);
    const { transactions } = await transactionsOf(yen.AccountId, orgLink.access_token);
    assert.ok(transactions.length > 0);
    for (const t of transactions) assert.match(t.Amount.Amount, /^\d+$/);
  });
});
