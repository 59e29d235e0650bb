// Accounts, balances and transactions through the gateway, checked against the banks' own APIs: both dialects give
// the same domain model, transactions page with opaque cursors, an expired consent costs only its bank's accounts,
// rows stay with their owner and tenant, and DataLoader keeps upstream calls to the fewest each bank allows.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertEvery } from '../support/assertions.js';
import { credentials } from '../support/bankTruth.js';
import { type Stack, startStack } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

interface Link {
  institution_id: string;
  type: string;
  access_token?: string;
  bank_customer_id?: string;
  consent_id?: string;
  consent_expires_at?: string;
}
interface DirectoryCustomer {
  id: string;
  bank_links: Link[];
}
interface Money {
  amount: string;
  currency: string;
}
interface Txn {
  id: string;
  amount: Money;
  direction: string;
  status: string;
  description: string | null;
  bookedAt: string | null;
}
interface Account {
  id: string;
  institution: { id: string };
  type: string;
  maskedNumber: string;
  currency: string;
  balance: { available: Money | null; current: Money; asOf: string } | null;
  transactions: { edges: Array<{ cursor: string; node: Txn }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const ACCOUNTS = `query ($id: ID!, $first: Int) { customer(id: $id) { id accounts {
  id institution { id } type maskedNumber currency
  balance { available { amount currency } current { amount currency } asOf }
  transactions(first: $first) { edges { cursor node { id amount { amount currency } direction status description bookedAt } } pageInfo { hasNextPage endCursor } }
} } }`;

const TRANSACTIONS = `query ($id: ID!, $first: Int, $after: String, $from: DateTime, $to: DateTime) { account(id: $id) {
  transactions(first: $first, after: $after, bookedFrom: $from, bookedTo: $to) { edges { cursor node { id bookedAt } } pageInfo { hasNextPage endCursor } }
} }`;

const obBase = (bank: string) => `/ob/${bank}/open-banking/v3.1/aisp`;
const decimals = (currency: string) => (currency === 'JPY' ? 0 : 2);
const fromMinor = (minor: number, currency: string) => {
  const digits = Math.abs(minor)
    .toString()
    .padStart(decimals(currency) + 1, '0');
  const cut = digits.length - decimals(currency);
  return `${minor < 0 ? '-' : ''}${digits.slice(0, cut)}${decimals(currency) ? `.${digits.slice(cut)}` : ''}`;
};

describe('accounts', () => {
  let stack: Stack;
  let customers: DirectoryCustomer[];
  const staff = () => tokenFor({ role: 'support', tenant: 'acme' });

  before(async () => {
    stack = await startStack();
    const page = (await stack.upstream('/directory/v1/customers?limit=100', credentials.acme?.directory as string)) as {
      data: DirectoryCustomer[];
    };
    customers = page.data;
  });
  after(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
  });

  const valid = (link: Link) => link.type !== 'open_banking' || Date.parse(link.consent_expires_at as string) > Date.now();

  async function accountsOf(customerId: string, token = staff(), first = 5) {
    const response = await stack.graphql(ACCOUNTS, { token, variables: { id: customerId, first } });
    return { response, accounts: (response.body.data?.customer as { accounts: Account[] } | null)?.accounts ?? [] };
  }

  /** The bank's own view of one owner's accounts at one link: balances and full transaction lists. */
  async function bankView(link: Link) {
    if (link.type === 'open_banking') {
      const token = link.access_token as string;
      const accounts = (await stack.upstream(`${obBase(link.institution_id)}/accounts`, token)) as {
        Data: { Account: Array<{ AccountId: string; Currency: string }> };
      };
      const balances = (await stack.upstream(`${obBase(link.institution_id)}/balances`, token)) as {
        Data: {
          Balance: Array<{ AccountId: string; Type: string; CreditDebitIndicator: string; DateTime: string; Amount: { Amount: string } }>;
        };
      };
      return Promise.all(
        accounts.Data.Account.map(async (account) => {
          const ids: string[] = [];
          let next: string | undefined = `${obBase(link.institution_id)}/accounts/${account.AccountId}/transactions`;
          while (next) {
            const page = (await stack.upstream(next, token)) as {
              Data: { Transaction: Array<{ TransactionId: string }> };
              Links: { Next?: string };
            };
            ids.push(...page.Data.Transaction.map((entry) => entry.TransactionId));
            next = page.Links.Next;
          }
          const signed = (type: string) => {
            const entry = balances.Data.Balance.find((balance) => balance.AccountId === account.AccountId && balance.Type === type);
            return entry
              ? { amount: `${entry.CreditDebitIndicator === 'Debit' ? '-' : ''}${entry.Amount.Amount}`, asOf: entry.DateTime }
              : undefined;
          };
          return {
            currency: account.Currency,
            current: signed('InterimBooked'),
            available: signed('InterimAvailable'),
            transactionIds: ids,
          };
        }),
      );
    }
    const key = credentials.acme?.[link.institution_id] as string;
    const base = `/core/${link.institution_id}/v1`;
    const accounts = (await stack.upstream(`${base}/customers/${link.bank_customer_id}/accounts?limit=100`, key)) as {
      data: Array<{ id: string; currency: string }>;
    };
    const balances = (await stack.upstream(
      `${base}/balances?account_ids=${accounts.data.map((account) => account.id).join(',')}`,
      key,
    )) as { data: Array<{ account_id: string; available: number; ledger: number; as_of: string }> };
    return Promise.all(
      accounts.data.map(async (account) => {
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = (await stack.upstream(
            `${base}/accounts/${account.id}/transactions?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
            key,
          )) as { data: Array<{ id: string }>; has_more: boolean; next_cursor?: string };
          ids.push(...page.data.map((entry) => entry.id));
          cursor = page.has_more ? page.next_cursor : undefined;
        } while (cursor);
        const balance = balances.data.find((entry) => entry.account_id === account.id);
        const currency = account.currency.toUpperCase();
        return {
          currency,
          current: balance && { amount: fromMinor(balance.ledger, currency), asOf: balance.as_of },
          available: balance && { amount: fromMinor(balance.available, currency), asOf: balance.as_of },
          transactionIds: ids,
        };
      }),
    );
  }

  it('serves both bank dialects as one model that matches each bank’s own figures', async () => {
    const customer = customers.find(
      (entry) =>
        entry.bank_links.every(valid) &&
        entry.bank_links.some((link) => link.type === 'open_banking') &&
        entry.bank_links.some((link) => link.type === 'core_banking'),
    );
    assert.ok(customer, 'the seed has a customer at both kinds of bank');
    const { response, accounts } = await accountsOf(customer.id);
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const truth = (await Promise.all(customer.bank_links.map(bankView))).flat();
    assert.equal(accounts.length, truth.length);
    const byCurrent = (list: Array<{ current?: { amount: string } | undefined }>) => list.map((entry) => entry.current?.amount).sort();
    assert.deepEqual(byCurrent(accounts.map((account) => ({ current: account.balance?.current }))), byCurrent(truth));
    for (const account of accounts) {
      const bank = truth.find((entry) => entry.transactionIds[0] === account.transactions.edges[0]?.node.id);
      assert.ok(bank, `bank truth for ${account.id}`);
      assert.deepEqual(account.balance?.current, { amount: bank.current?.amount, currency: account.currency });
      assert.deepEqual(account.balance?.available, { amount: bank.available?.amount, currency: account.currency });
      assert.equal(account.balance?.asOf, new Date(bank.current?.asOf as string).toISOString(), 'asOf is the bank’s timestamp');
      assert.deepEqual(
        account.transactions.edges.map((edge) => edge.node.id),
        bank.transactionIds.slice(0, 5),
      );
      assert.equal(account.transactions.pageInfo.hasNextPage, bank.transactionIds.length > 5);
      assert.match(account.maskedNumber, /^••••\d{4}$|^••••[A-Z0-9]{4}$/);
      for (const { node } of account.transactions.edges) {
        assert.ok(['CREDIT', 'DEBIT'].includes(node.direction));
        assert.ok(!node.amount.amount.startsWith('-'), 'amounts are positive; direction gives the sign');
        assert.match(node.amount.amount, account.currency === 'JPY' ? /^\d+$/ : /^\d+\.\d{2}$/);
      }
    }
  });

  it('reads every consent of a customer who holds two at one bank', async () => {
    const customer = customers.find(
      (entry) =>
        entry.bank_links.every(valid) &&
        entry.bank_links.some(
          (link, index) => entry.bank_links.findIndex((other) => other.institution_id === link.institution_id) !== index,
        ),
    );
    assert.ok(customer, 'the seed has a customer with two consents at one bank');
    const { response, accounts } = await accountsOf(customer.id);
    assert.equal(response.body.errors, undefined);
    const truth = (await Promise.all(customer.bank_links.map(bankView))).flat();
    assert.equal(accounts.length, truth.length);
    assert.equal(new Set(accounts.map((account) => account.id)).size, accounts.length, 'no account twice');
    assertEvery(accounts, (account) => account.balance !== null);
  });

  it('pages every transaction exactly once with opaque cursors, and refuses a cursor made for another list', async () => {
    const customer = customers.find(
      (entry) =>
        entry.bank_links.length > 0 && entry.bank_links.every(valid) && entry.bank_links.some((link) => link.type === 'open_banking'),
    );
    assert.ok(customer);
    const { accounts } = await accountsOf(customer.id);
    const truth = (await Promise.all(customer.bank_links.map(bankView))).flat();
    const token = staff();
    for (const account of accounts.slice(0, 2)) {
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page += 1) {
        const response = await stack.graphql(TRANSACTIONS, { token, variables: { id: account.id, first: 10, after } });
        const connection = (response.body.data?.account as { transactions: Account['transactions'] }).transactions;
        seen.push(...connection.edges.map((edge) => edge.node.id));
        after = connection.pageInfo.endCursor;
        if (!connection.pageInfo.hasNextPage) break;
      }
      const bank = truth.find((entry) => entry.transactionIds[0] === seen[0]);
      assert.deepEqual(seen, bank?.transactionIds);
      assert.equal(new Set(seen).size, seen.length);
    }
    const [first, second] = accounts;
    const cursor = first?.transactions.pageInfo.endCursor;
    assert.ok(cursor && second);
    const reused = await stack.graphql(TRANSACTIONS, { token, variables: { id: second.id, first: 5, after: cursor } });
    assert.equal(reused.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const garbage = await stack.graphql(TRANSACTIONS, { token, variables: { id: first.id, first: 5, after: 'bm90LWEtY3Vyc29y' } });
    assert.equal(garbage.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const tooMany = await stack.graphql(TRANSACTIONS, { token, variables: { id: first.id, first: 1000 } });
    assert.equal(tooMany.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  for (const kind of ['open_banking', 'core_banking']) {
    it(`filters transactions by an inclusive booking date range (${kind})`, async () => {
      const customer = customers.find(
        (entry) => entry.bank_links.length > 0 && entry.bank_links.every(valid) && entry.bank_links.some((link) => link.type === kind),
      );
      assert.ok(customer);
      const banks = customer.bank_links.filter((link) => link.type === kind).map((link) => link.institution_id);
      const { accounts } = await accountsOf(customer.id, staff(), 100);
      const account = [...accounts]
        .filter((entry) => banks.includes(entry.institution.id))
        .sort((a, b) => b.transactions.edges.length - a.transactions.edges.length)[0] as Account;
      const all = account.transactions.edges.map((edge) => edge.node).filter((node) => node.bookedAt);
      assert.ok(all.length > 10);
      const from = all[Math.floor(all.length * 0.6)]?.bookedAt as string;
      const to = all[Math.floor(all.length * 0.2)]?.bookedAt as string;
      const response = await stack.graphql(TRANSACTIONS, { token: staff(), variables: { id: account.id, first: 100, from, to } });
      const filtered = (response.body.data?.account as { transactions: Account['transactions'] }).transactions.edges.map(
        (edge) => edge.node,
      );
      assert.ok(filtered.length > 0);
      assert.ok(filtered.length < all.length);
      for (const node of filtered) assert.ok((node.bookedAt as string) >= from && (node.bookedAt as string) <= to, node.bookedAt as string);
      const expected = all.filter((node) => (node.bookedAt as string) >= from && (node.bookedAt as string) <= to).map((node) => node.id);
      assert.deepEqual(
        filtered.map((node) => node.id),
        expected,
      );
      assert.ok(filtered.some((node) => node.bookedAt === from) && filtered.some((node) => node.bookedAt === to), 'both ends are included');
      const reversed = await stack.graphql(TRANSACTIONS, { token: staff(), variables: { id: account.id, first: 5, from: to, to: from } });
      assert.equal(reversed.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    });
  }

  it('answers CONSENT_REQUIRED for a bank whose consent has expired, and keeps the other banks’ accounts', async () => {
    const expired = customers.find((entry) => entry.bank_links.some((link) => !valid(link)) && entry.bank_links.some(valid));
    assert.ok(expired, 'the seed has a customer with one expired consent and another valid link');
    const { response, accounts } = await accountsOf(expired.id);
    const expiredBank = expired.bank_links.find((link) => !valid(link))?.institution_id;
    const error = response.body.errors?.find((entry) => entry.extensions?.code === 'CONSENT_REQUIRED');
    assert.ok(error, JSON.stringify(response.body));
    assert.equal(error.extensions?.institutionId, expiredBank);
    assert.deepEqual(error.path, ['customer', 'accounts']);
    assert.ok(accounts.length > 0);
    assertEvery(accounts, (account) => account.institution.id !== expiredBank);

    // A consent the bank revoked on its side (the directory still thinks it valid) is caught from the bank's 403.
    const customer = customers.find(
      (entry) =>
        entry.bank_links.filter((link) => link.type === 'open_banking' && valid(link)).length >= 1 &&
        entry.bank_links.length >= 2 &&
        entry.bank_links.every(valid),
    );
    assert.ok(customer);
    const link = customer.bank_links.find((entry) => entry.type === 'open_banking') as Link;
    await stack.control(`/consents/${link.consent_id}/expire`, {});
    const revoked = await accountsOf(customer.id);
    const revokedError = revoked.response.body.errors?.find((entry) => entry.extensions?.code === 'CONSENT_REQUIRED');
    assert.equal(revokedError?.extensions?.institutionId, link.institution_id);
    assert.ok(revoked.accounts.length > 0 && revoked.accounts.every((account) => account.institution.id !== link.institution_id));
  });

  it('batches balances: one bulk call per Open Banking consent, 25 accounts a call at core banks', async () => {
    const page = customers.slice(0, 40);
    const ids = page.map((entry) => entry.id);
    await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
    // One list of 40 customers, not 40 aliased customer(id:) fields: the identity subgraph owns the root fields, and the
    // gateway plans one accounts fetch per aliased root field, but one fetch for all the entities of a list.
    const query = 'query { customers(first: 40) { edges { node { id accounts { institution { id } balance { current { amount } } } } } } }';
    const response = await stack.graphql(query, { token: staff() });
    assert.ok(response.body.data);
    const calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
    const live = page.flatMap((entry) => entry.bank_links.filter(valid));
    const nodes = (
      response.body.data.customers as {
        edges: Array<{ node: { id: string; accounts: Array<{ institution: { id: string }; balance: unknown }> } }>;
      }
    ).edges.map((edge) => edge.node);
    assert.deepEqual(
      nodes.map((node) => node.id),
      ids,
    );
    const served = nodes.flatMap((customer) => customer.accounts);
    assertEvery(served, (account) => account.balance !== null);
    for (const bank of ['lakeside', 'pacific']) {
      const count = served.filter((account) => account.institution.id === bank).length;
      assert.ok(count > 0, `${bank} holds some of these customers' accounts`);
      assert.equal(calls[bank]?.['GET /balances'], Math.ceil(count / 25), `${bank}: ${count} accounts of many customers, 25 ids a call`);
    }
    for (const bank of ['northwind', 'albion']) {
      const consents = live.filter((link) => link.institution_id === bank).length;
      assert.ok(consents > 0, `${bank} holds some of these customers' consents`);
      const balanceCalls = (calls[bank]?.['GET /balances'] ?? 0) + (calls[bank]?.['GET /accounts/{AccountId}/balances'] ?? 0);
      assert.equal(balanceCalls, consents, `${bank}: one balances call per consent`);
      assert.equal(calls[bank]?.['GET /accounts'] ?? 0, consents, `${bank}: one accounts call per consent`);
    }
    // The identity subgraph lists them (one call); the accounts subgraph reads their bank links in one ?ids= call.
    assert.equal(calls.directory?.['GET /customers'], 2, 'the 40 customers are read from the directory in one call per subgraph');
  });

  it('keeps rows with their owner and tenant: NOT_FOUND for anything else', async () => {
    const [mine, other] = customers.filter((entry) => entry.bank_links.length > 0 && entry.bank_links.every(valid));
    assert.ok(mine && other);
    const asCustomer = tokenFor({ role: 'customer', tenant: 'acme', customerId: mine.id });
    const own = await accountsOf(mine.id, asCustomer);
    assert.ok(own.accounts.length > 0);
    const me = await stack.graphql('{ me { id accounts { id } } }', { token: asCustomer });
    assert.equal((me.body.data?.me as { id: string }).id, mine.id);

    const theirs = await accountsOf(other.id, asCustomer);
    assert.equal(theirs.response.body.data?.customer, null);
    assert.equal(theirs.response.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const otherAccount = (await accountsOf(other.id)).accounts[0] as Account;
    const direct = await stack.graphql('query ($id: ID!) { account(id: $id) { id } }', {
      token: asCustomer,
      variables: { id: otherAccount.id },
    });
    assert.equal(direct.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');

    const globex = (await stack.upstream('/directory/v1/customers?limit=1', credentials.globex?.directory as string)) as {
      data: DirectoryCustomer[];
    };
    const globexId = globex.data[0]?.id as string;
    const crossTenant = await accountsOf(globexId, staff());
    assert.equal(crossTenant.response.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const globexAccount = (await accountsOf(globexId, tokenFor({ role: 'support', tenant: 'globex' }))).accounts[0] as Account;
    assert.ok(globexAccount);
    const guessed = await stack.graphql('query ($id: ID!) { account(id: $id) { id balance { current { amount } } } }', {
      token: staff(),
      variables: { id: globexAccount.id },
    });
    assert.equal(guessed.body.data?.account, null);
    assert.equal(guessed.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });
});
