// US core banking: cursor paging, balances that agree with transactions, the 25-id limit and tenant scoping.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../../sandbox/credentials.js';
import { createSandbox, type Sandbox } from '../../sandbox/server.js';
import {
  allCustomers,
  type CoreAccount,
  type CoreBalance,
  type CoreError,
  type CoreList,
  type CoreTransaction,
  type Customer,
  call,
  coreItems,
  type HttpResult,
  type Organisation,
} from './helpers.js';

const anchorDate = '2026-11-24';
const dayMs = 86_400_000;
const key = credentials.acme.lakeside;

describe('core banking (lakeside)', () => {
  let sandbox: Sandbox;
  let base = '';
  let orgAccounts: CoreAccount[] = [];
  let customers: Customer[] = [];

  before(async () => {
    sandbox = await createSandbox({ port: 0, anchorDate, latency: 'none' });
    base = `${sandbox.url}/core/lakeside/v1`;
    const org = await call<Organisation>(`${sandbox.url}/directory/v1/organisation`, { token: credentials.acme.directory });
    const link = org.body.bank_links.find((l) => l.institution_id === 'lakeside');
    assert.ok(link && link.type === 'core_banking');
    orgAccounts = await coreItems<CoreAccount>(`${base}/customers/${link.bank_customer_id}/accounts?limit=3`, key);
    customers = await allCustomers(sandbox.url, credentials.acme.directory);
  });
  after(() => sandbox.close());

  const lakesideAccountIds = async (count: number): Promise<string[]> => {
    const ids = orgAccounts.map((a) => a.id);
    for (const customer of customers) {
      if (ids.length >= count) break;
      const link = customer.bank_links.find((l) => l.institution_id === 'lakeside');
      if (link?.type !== 'core_banking') continue;
      const accounts = await call<CoreList<CoreAccount>>(`${base}/customers/${link.bank_customer_id}/accounts`, { token: key });
      ids.push(...accounts.body.data.map((a) => a.id));
    }
    return ids.slice(0, count);
  };

  it('lists the organisation’s accounts through next_cursor with USD, GBP and EUR among them', () => {
    assert.ok(orgAccounts.length >= 30 && orgAccounts.length <= 36, `${orgAccounts.length}`);
    assert.equal(new Set(orgAccounts.map((a) => a.id)).size, orgAccounts.length);
    for (const currency of ['usd', 'gbp', 'eur'])
      assert.ok(
        orgAccounts.some((a) => a.currency === currency),
        currency,
      );
    for (const account of orgAccounts) {
      assert.match(account.id, /^acct_/);
      assert.ok(['checking', 'savings', 'money_market'].includes(account.type));
    }
  });

  it('answers 400 invalid_request for more than 25 account_ids, and serves exactly 25', async () => {
    const ids = await lakesideAccountIds(26);
    assert.equal(ids.length, 26);
    const tooMany: HttpResult<CoreError> = await call<CoreError>(`${base}/balances?account_ids=${ids.join(',')}`, { token: key });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.error.code, 'invalid_request');
    const ok = await call<CoreList<CoreBalance>>(`${base}/balances?account_ids=${ids.slice(0, 25).join(',')}`, { token: key });
    assert.equal(ok.status, 200);
    assert.deepEqual(
      ok.body.data.map((b) => b.account_id),
      ids.slice(0, 25),
    );
  });

  it('leaves out ids another tenant holds, and 404s their accounts', async () => {
    const mine = orgAccounts[0];
    assert.ok(mine);
    const asGlobex = await call<CoreList<CoreBalance>>(`${base}/balances?account_ids=${mine.id}`, { token: credentials.globex.lakeside });
    assert.equal(asGlobex.status, 200);
    assert.deepEqual(asGlobex.body.data, []);
    const account: HttpResult<CoreError> = await call<CoreError>(`${base}/accounts/${mine.id}`, { token: credentials.globex.lakeside });
    assert.equal(account.status, 404);
    assert.equal(account.body.error.code, 'not_found');
    assert.equal((await call(`${base}/accounts/${mine.id}`, { token: credentials.acme.pacific })).status, 401);
  });

  it('pages transactions by cursor, newest first, with pending ones unposted', async () => {
    const account = orgAccounts[0];
    assert.ok(account);
    const all = await coreItems<CoreTransaction>(`${base}/accounts/${account.id}/transactions?limit=40`, key);
    assert.ok(all.length > 40);
    assert.equal(new Set(all.map((t) => t.id)).size, all.length);
    const effective = all.map((t) => Date.parse(t.posted_at ?? t.created_at));
    assert.deepEqual(
      effective,
      [...effective].sort((a, b) => b - a),
    );
    const pending = all.filter((t) => t.status === 'pending');
    assert.ok(pending.length >= 1);
    for (const t of pending) assert.equal(t.posted_at, null);
    for (const t of all) assert.ok(Number.isSafeInteger(t.amount));
    assert.ok(Date.parse(all.at(-1)?.created_at ?? '') >= Date.parse(`${anchorDate}T00:00:00Z`) - 92 * dayMs);
  });

  it('rejects a forged, foreign or garbled cursor and an out-of-range limit with 400', async () => {
    const [a, b] = orgAccounts;
    assert.ok(a && b);
    const page = await call<CoreList<CoreTransaction>>(`${base}/accounts/${a.id}/transactions?limit=5`, { token: key });
    const cursor = page.body.next_cursor;
    assert.ok(cursor);
    assert.equal((await call(`${base}/accounts/${a.id}/transactions?cursor=${cursor}`, { token: key })).status, 200);
    const forged = Buffer.from(`${a.id}:999999`).toString('base64url');
    for (const query of [`cursor=${forged}`, 'cursor=not*a*cursor', 'cursor=Zm9v', 'limit=0', 'limit=101']) {
      const result: HttpResult<CoreError> = await call<CoreError>(`${base}/accounts/${a.id}/transactions?${query}`, { token: key });
      assert.equal(result.status, 400, query);
      assert.equal(result.body.error.code, 'invalid_request', query);
    }
    const foreign = await call(`${base}/accounts/${b.id}/transactions?cursor=${cursor}`, { token: key });
    assert.equal(foreign.status, 400);
  });

  it('filters by posted_after and posted_before', async () => {
    const account = orgAccounts[1];
    assert.ok(account);
    const all = await coreItems<CoreTransaction>(`${base}/accounts/${account.id}/transactions?limit=100`, key);
    const after = `${anchorDate.slice(0, 8)}01T00:00:00Z`;
    const before = `${anchorDate}T00:00:00Z`;
    const filtered = await coreItems<CoreTransaction>(
      `${base}/accounts/${account.id}/transactions?limit=100&posted_after=${after}&posted_before=${before}`,
      key,
    );
    const expected = all.filter((t) => {
      const at = Date.parse(t.posted_at ?? t.created_at);
      return at > Date.parse(after) && at < Date.parse(before);
    });
    assert.ok(expected.length > 0);
    assert.deepEqual(
      filtered.map((t) => t.id),
      expected.map((t) => t.id),
    );
    assert.equal((await call(`${base}/accounts/${account.id}/transactions?posted_after=tomorrow`, { token: key })).status, 400);
  });

  it('reports ledger = booked balance and available = ledger + pending, matching an account’s whole history', async () => {
    const windowStart = Date.parse(`${anchorDate}T00:00:00Z`) - 89 * dayMs;
    let fresh: CoreAccount | undefined;
    for (const customer of customers) {
      const link = customer.bank_links.find((l) => l.institution_id === 'lakeside');
      if (link?.type !== 'core_banking') continue;
      const accounts = await call<CoreList<CoreAccount>>(`${base}/customers/${link.bank_customer_id}/accounts`, { token: key });
      fresh = accounts.body.data.find((a) => Date.parse(a.opened_at) > windowStart);
      if (fresh) break;
    }
    assert.ok(fresh, 'acme has a lakeside customer account opened within the last 90 days');
    const transactions = await coreItems<CoreTransaction>(`${base}/accounts/${fresh.id}/transactions?limit=100`, key);
    const balances = await call<CoreList<CoreBalance>>(`${base}/balances?account_ids=${fresh.id}`, { token: key });
    const balance = balances.body.data[0];
    assert.ok(balance);
    const sum = (status: string) => transactions.filter((t) => t.status === status).reduce((total, t) => total + t.amount, 0);
    assert.equal(balance.ledger, sum('posted'));
    assert.equal(balance.available, balance.ledger + sum('pending'));
    assert.equal(balance.currency, fresh.currency);
  });
});
