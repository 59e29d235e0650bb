// The cache in front of every upstream read, with a real Redis from the harness: tenants never see each other's data
// however requests interleave, nothing personal is stored in clear, a hundred cold requests make one upstream call,
// a bank that fails is answered from cache within the grace window, Redis dying mid-traffic fails no request, and an
// invalidation reaches every replica.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { deriveSubgraphKey } from '../../lib/auth/internalToken.js';
import { decodeAccountId } from '../../lib/domain/accountId.js';
import { createLogger } from '../../lib/logging/logger.js';
import { readAccountsConfig } from '../../subgraphs/accounts/config.js';
import { startAccountsSubgraph } from '../../subgraphs/accounts/server.js';
import { assertEvery } from '../support/assertions.js';
import {
  coreBalance,
  credentials,
  customerHoldings,
  ecbRates,
  expectedCash,
  formatIn,
  organisationHoldings,
} from '../support/bankTruth.js';
import { contractOperation } from '../support/contract.js';
import { RedisHarness } from '../support/redis.js';
import { RedisClusterHarness } from '../support/redisCluster.js';
import { type Stack, startStack } from '../support/stack.js';
import { testKeys, tokenFor } from '../support/tokens.js';

interface DirectoryCustomer {
  id: string;
  display_name: string;
  email: string;
  bank_links: Array<{ type: string; institution_id: string; consent_id?: string; consent_expires_at?: string; access_token?: string }>;
}

const OVERVIEW = `query ($id: ID!) { customer(id: $id) { id accounts { id accountNumber maskedNumber institution { id } balance { current { amount currency } asOf }
  transactions(first: 3) { edges { node { id amount { amount } } } } } } }`;
const CASH = contractOperation('CashPosition');
const totalCalls = (calls: Record<string, Record<string, number>>, provider?: string) =>
  Object.entries(calls)
    .filter(([name]) => !provider || name === provider)
    .flatMap(([, counts]) => Object.values(counts))
    .reduce((a, b) => a + b, 0);

const SHORT_TTLS = 'balances=1:60,accounts=1:60,organisation=1:60,customers=1:60,fx-rates=1:60';
/** Longer than any test here runs: nothing turns stale while it is being asserted on. */
const LONG_TTLS = 'balances=600:600,accounts=600:600,organisation=600:600,customers=600:600,fx-rates=600:600';

for (const backend of ['redis', 'redis-cluster'] as const) {
  describe(`caching with ${backend === 'redis' ? 'one Redis server' : 'a three-master Redis Cluster'}`, () => {
    let redis: RedisHarness | undefined;
    let cluster: RedisClusterHarness | undefined;
    let stack: Stack;
    const customers: Record<string, DirectoryCustomer[]> = {};
    const singleOnly = backend === 'redis';

    /** A stack on this describe's backend, with the cache durations given. */
    const startOnBackend = (env: Record<string, string>) =>
      redis
        ? startStack({ redis, env })
        : startStack({
            env: {
              ...env,
              REDIS_CLUSTER_NODES: (cluster?.nodes ?? []).map((node) => `${node.host}:${node.port}`).join(','),
              CACHE_ENCRYPTION_KEYS: `test-1:${testKeys.cacheKey.toString('base64')}`,
            },
          });

    before(async () => {
      if (backend === 'redis') redis = await RedisHarness.start();
      else cluster = await RedisClusterHarness.start();
      stack = await startOnBackend({ CACHE_TTL_OVERRIDES: SHORT_TTLS });
      for (const tenant of ['acme', 'globex']) {
        const page = (await stack.upstream('/directory/v1/customers?limit=100', credentials[tenant]?.directory as string)) as {
          data: DirectoryCustomer[];
        };
        customers[tenant] = page.data.filter(
          (entry) =>
            entry.bank_links.length > 0 &&
            entry.bank_links.every((link) => link.type !== 'open_banking' || Date.parse(link.consent_expires_at as string) > Date.now()),
        );
      }
    });
    after(async () => {
      await stack.close();
      await redis?.close();
      await cluster?.close();
    });

    /** A plain client on the backend, to read what is stored. */
    async function rawValues(): Promise<{ keys: string[]; text: string }> {
      const clients = redis ? [new Redis(redis.url)] : (cluster?.nodes ?? []).map((node) => new Redis(node.port, node.host));
      try {
        const keys: string[] = [];
        const values: string[] = [];
        for (const client of clients) {
          for (const key of await client.keys('*')) {
            keys.push(key);
            values.push(`${key}=${(await client.type(key)) === 'string' ? await client.get(key) : (await client.smembers(key)).join(',')}`);
          }
        }
        return { keys, text: values.join('\n') };
      } finally {
        for (const client of clients) client.disconnect();
      }
    }
    beforeEach(async () => {
      await Promise.all([stack.control('/reset', {}), stack.resetCache()]);
    });

    type Request = { tenant: string; token: string; query: string; variables: Record<string, unknown> };
    /** 1 when an uncached answer holds what the banks say (the cash total; each account's booked balance), else 0. */
    async function matchesBanks(request: Request, data: Record<string, unknown> | null): Promise<number> {
      if (request.query === CASH) {
        const expectedTotal = expectedCash(await organisationHoldings(stack, request.tenant), await ecbRates(stack), 'USD').total;
        assert.deepEqual((data?.cashPosition as { total: unknown }).total, { amount: expectedTotal, currency: 'USD' });
        return 1;
      }
      const customer = data?.customer as {
        id: string;
        accounts: Array<{ balance: { current: { amount: string; currency: string } } | null }>;
      } | null;
      const holder = (customers[request.tenant] ?? []).find((entry) => entry.id === request.variables.id);
      if (!holder) {
        assert.equal(customer, null, "another tenant's customer is not found");
        return 0;
      }
      const truth = await customerHoldings(stack, request.tenant, holder.bank_links);
      assert.ok(truth.length > 0 && customer && customer.accounts.length === truth.length, `${holder.id}: every account the banks hold`);
      const served = customer.accounts.map((account) => `${account.balance?.current.currency}:${account.balance?.current.amount}`).sort();
      assert.deepEqual(served, truth.map((entry) => `${entry.currency}:${formatIn(entry.booked, entry.currency)}`).sort());
      return 1;
    }

    it('never serves one tenant’s or principal’s data to another, however warm requests interleave', async () => {
      const requests: Request[] = [];
      for (const tenant of ['acme', 'globex']) {
        assert.ok((customers[tenant] ?? []).length >= 6, `${tenant} has six customers with live bank links`);
        requests.push({ tenant, token: tokenFor({ role: 'cfo', tenant }), query: CASH, variables: { currency: 'USD' } });
        for (const customer of (customers[tenant] ?? []).slice(0, 6)) {
          requests.push({ tenant, token: tokenFor({ role: 'admin', tenant }), query: OVERVIEW, variables: { id: customer.id } });
          requests.push({
            tenant,
            token: tokenFor({ role: 'customer', tenant, customerId: customer.id }),
            query: OVERVIEW,
            variables: { id: customer.id },
          });
          requests.push({ tenant, token: tokenFor({ role: 'support', tenant }), query: OVERVIEW, variables: { id: customer.id } });
        }
        // Another tenant's id asked for by this tenant's staff: NOT_FOUND, cold and warm alike.
        const other = customers[tenant === 'acme' ? 'globex' : 'acme']?.[0]?.id as string;
        requests.push({ tenant, token: tokenFor({ role: 'admin', tenant }), query: OVERVIEW, variables: { id: other } });
      }
      // Uncached answers: each request alone, on an empty cache, and each checked against the banks' own figures, so
      // that the warm rounds below are compared with answers known to be right, not merely consistent.
      const expected: string[] = [];
      let checkedAgainstBanks = 0;
      for (const request of requests) {
        await stack.resetCache();
        const response = await stack.graphql(request.query, { token: request.token, variables: request.variables });
        expected.push(JSON.stringify(response.body));
        checkedAgainstBanks += await matchesBanks(request, response.body.data ?? null);
      }
      assert.equal(checkedAgainstBanks, requests.length - 2, 'every request but the two cross-tenant ones served data the banks confirm');
      // Warm answers, shuffled and concurrent, three rounds.
      let seed = 7;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      for (let round = 0; round < 3; round += 1) {
        const order = requests.map((_, index) => index).sort(() => random() - 0.5);
        const answers = await Promise.all(
          order.map(async (index) => {
            const request = requests[index] as (typeof requests)[number];
            return [
              index,
              JSON.stringify((await stack.graphql(request.query, { token: request.token, variables: request.variables })).body),
            ] as const;
          }),
        );
        for (const [index, body] of answers) assert.equal(body, expected[index], `request ${index} in round ${round}`);
      }
      const metrics = stack.accounts.cache.metrics();
      assert.ok((metrics.balances?.hits ?? 0) > 0 && (metrics.accounts?.hits ?? 0) > 0, 'the warm rounds were served from cache');
    });

    it('keeps the gateway’s persisted queries in the shared store', async () => {
      const query = '{ institutions { id } }';
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const token = tokenFor({ role: 'support', tenant: 'acme' });
      const send = (body: Record<string, unknown>) =>
        fetch(stack.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ ...body, extensions: { persistedQuery: { version: 1, sha256Hash } } }),
        }).then(async (response) => (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> });
      assert.equal((await send({})).errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_FOUND');
      assert.deepEqual(await send({ query }), {
        data: { institutions: [{ id: 'northwind' }, { id: 'albion' }, { id: 'lakeside' }, { id: 'pacific' }] },
      });
      assert.ok(
        (await rawValues()).keys.some((key) => key.startsWith('fg:{apollo}:') && key.includes(sha256Hash)),
        'registered in the shared store',
      );
      const byHash = await send({});
      assert.equal(byHash.errors, undefined);
      assert.equal((byHash.data as { institutions: unknown[] }).institutions.length, 4);
    });

    it('stores no personal data, account number or consent token in clear', async () => {
      const [customer] = customers.acme ?? [];
      assert.ok(customer);
      const response = await stack.graphql(OVERVIEW, {
        token: tokenFor({ role: 'admin', tenant: 'acme' }),
        variables: { id: customer.id },
      });
      const numbers = (response.body.data?.customer as { accounts: Array<{ accountNumber: string }> }).accounts.map(
        (account) => account.accountNumber,
      );
      assert.ok(numbers.length > 0);
      const { keys, text: raw } = await rawValues();
      assert.ok(keys.length > 10, `${keys.length} keys stored`);
      for (const secret of [
        ...numbers,
        customer.display_name,
        customer.email,
        customer.id,
        ...customer.bank_links.flatMap((link) => link.access_token ?? []),
      ]) {
        assert.ok(!raw.includes(secret), `${secret} found in ${backend} in clear`);
      }
      assertEvery(keys, (key) => /^fg:\{(acme|globex|apollo)\}:/.test(key), 'every data key is scoped by tenant');
    });

    it('makes one upstream call for a hundred concurrent requests for one cold key', async () => {
      // On a stack whose entries stay fresh for longer than the test, with a cache of its own on the same backend. With
      // this file's 1 s freshness, the balance can turn stale while the hundred requests are still arriving (they share
      // one event loop with the gateway, the subgraphs and the sandbox, and take over a second under load): a request
      // that then finds it stale rightly starts one background refresh, a second bank call that is no stampede. Here a
      // second call can only be a concurrent miss the cache failed to hold back.
      const own = await startOnBackend({ CACHE_TTL_OVERRIDES: LONG_TTLS, CACHE_VERSION: 'stampede' });
      try {
        // Until it reaches the backend, the cache serves from the upstream (by design): a value it could not store would
        // be loaded again once the first level lets it go, which is not what this test is about.
        assert.ok(await own.accounts.cache.ready(10_000), "the new stack's cache reached the backend");
        // Find an account at a core bank without reading any balance, so the balance is cold for the stampede.
        const holder = (customers.acme ?? []).find((entry) =>
          entry.bank_links.some((link) => link.type === 'core_banking'),
        ) as DirectoryCustomer;
        const token = tokenFor({ role: 'support', tenant: 'acme' });
        const listed = await own.graphql('query ($id: ID!) { customer(id: $id) { accounts { id institution { id } } } }', {
          token,
          variables: { id: holder.id },
        });
        const target = (listed.body.data?.customer as { accounts: Array<{ id: string; institution: { id: string } }> }).accounts.find(
          (account) => ['lakeside', 'pacific'].includes(account.institution.id),
        ) as { id: string; institution: { id: string } };
        const bank = target.institution.id;
        await own.control('/reset', {});
        const answers = await Promise.all(
          Array.from({ length: 100 }, () =>
            own.graphql('query ($id: ID!) { account(id: $id) { balance { current { amount currency } } } }', {
              token,
              variables: { id: target.id },
            }),
          ),
        );
        const calls = (await own.control('/calls')) as Record<string, Record<string, number>>;
        assert.equal(calls[bank]?.['GET /balances'], 1, 'one balance call for a hundred requests');
        assert.equal(
          calls[bank]?.['GET /customers/{bank_customer_id}/accounts'] ?? 0,
          0,
          'the listing read by the lookup above served all hundred',
        );
        assert.equal(own.accounts.cache.metrics().balances?.staleServed ?? 0, 0, 'no request found the balance stale');
        assert.equal(new Set(answers.map((answer) => JSON.stringify(answer.body))).size, 1);
        const balance = (answers[0]?.body.data?.account as { balance: { current: { amount: string; currency: string } } } | undefined)
          ?.balance.current;
        assert.deepEqual(
          balance,
          await coreBalance(own, 'acme', bank, decodeAccountId(target.id)?.upstreamId as string),
          JSON.stringify(answers[0]?.body),
        );
      } finally {
        await own.resetCache();
        await own.close();
      }
    });

    // The single-server run covers this; on the cluster the same code paths run.
    if (singleOnly)
      it('answers from cache, with the bank’s own asOf, when the bank fails within the grace window', async () => {
        const token = tokenFor({ role: 'cfo', tenant: 'acme' });
        const warm = (await stack.graphql(CASH, { token, variables: { currency: 'GBP' } })).body.data?.cashPosition as {
          total: unknown;
          byInstitution: Array<{ institution: { id: string }; asOf: string }>;
        };
        await stack.control('/providers/northwind', { down: true });
        await new Promise((resolve) => setTimeout(resolve, 1200)); // past the 1 s freshness set for this file
        const response = await stack.graphql(CASH, { token, variables: { currency: 'GBP' } });
        const stale = response.body.data?.cashPosition as typeof warm & { complete: boolean };
        assert.equal(stale.complete, true, JSON.stringify(response.body.errors));
        assert.deepEqual(stale.total, warm.total);
        assert.equal(
          stale.byInstitution.find((entry) => entry.institution.id === 'northwind')?.asOf,
          warm.byInstitution.find((entry) => entry.institution.id === 'northwind')?.asOf,
          'the figure keeps its true age',
        );
        const calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
        assert.ok(totalCalls(calls, 'northwind') >= 1, 'the refresh did try the bank');
        assert.ok((stack.accounts.cache.metrics().balances?.staleServed ?? 0) > 0);
      });

    // The single-server run covers this; on the cluster the same code paths run.
    if (singleOnly)
      it('stops serving a bank’s cached data once the bank refuses the consent it was read under', async () => {
        const holder = (customers.acme ?? []).find(
          (entry) =>
            entry.bank_links.some((link) => link.type === 'open_banking') && entry.bank_links.some((link) => link.type === 'core_banking'),
        ) as DirectoryCustomer;
        const link = holder.bank_links.find((entry) => entry.type === 'open_banking') as { consent_id: string; institution_id: string };
        const token = tokenFor({ role: 'admin', tenant: 'acme' });
        const ask = () => stack.graphql(OVERVIEW, { token, variables: { id: holder.id } });
        const warm = await ask();
        const banks = (body: typeof warm.body) =>
          ((body.data?.customer as { accounts: Array<{ institution: { id: string } }> } | null)?.accounts ?? []).map(
            (account) => account.institution.id,
          );
        assert.ok(banks(warm.body).includes(link.institution_id));
        await stack.control(`/consents/${link.consent_id}/expire`, {});
        await new Promise((resolve) => setTimeout(resolve, 1200)); // past this file's 1 s freshness
        await ask(); // may still be answered stale once, while the refresh learns of the refusal
        await new Promise((resolve) => setTimeout(resolve, 200));
        const after = await ask();
        assert.ok(!banks(after.body).includes(link.institution_id), 'nothing from the refused consent');
        assert.ok(after.body.errors?.some((error) => error.extensions?.code === 'CONSENT_REQUIRED'));
      });

    // The single-server run covers this; on the cluster the same code paths run.
    if (singleOnly)
      it('fails no request when Redis dies mid-traffic, and hits again once it is back', async () => {
        if (!redis) return;
        const token = tokenFor({ role: 'cfo', tenant: 'acme' });
        const ask = () => stack.graphql(CASH, { token, variables: { currency: 'EUR' } });
        const first = await ask();
        const traffic = Promise.all(
          Array.from({ length: 30 }, async (_, index) => {
            await new Promise((resolve) => setTimeout(resolve, index * 20));
            return ask();
          }),
        );
        await redis.stop();
        const answers = await traffic;
        for (const answer of answers) {
          assert.equal(answer.status, 200);
          assert.equal(answer.body.errors, undefined);
          assert.deepEqual(
            (answer.body.data?.cashPosition as { total: unknown }).total,
            (first.body.data?.cashPosition as { total: unknown }).total,
          );
        }
        await redis.restart();
        // Once the client has reconnected and the breaker has closed, a read past the first level (emptied by the reset)
        // reaches Redis and writes what it loads there without a store error: that is "back".
        const storeErrors = () => Object.values(stack.accounts.cache.metrics()).reduce((sum, entry) => sum + entry.errors, 0);
        let back = false;
        for (let attempt = 0; attempt < 60 && !back; attempt += 1) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250));
          await stack.resetCache();
          const errors = storeErrors();
          assert.equal((await ask()).body.errors, undefined);
          back = storeErrors() === errors;
        }
        assert.ok(back, 'the accounts subgraph used Redis again within 15 s of its restart, without being restarted itself');
        // A restarted accounts subgraph has an empty first level: what it serves without a bank call came from Redis.
        await stack.restart('accounts');
        await stack.control('/reset', {});
        const again = await ask();
        assert.equal(again.body.errors, undefined);
        assert.deepEqual(
          (again.body.data?.cashPosition as { total: unknown }).total,
          (first.body.data?.cashPosition as { total: unknown }).total,
        );
        const calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
        assert.equal(totalCalls(calls), 0, 'served from Redis again, without calling any bank');
        assert.ok((stack.subgraphs.accounts.cache.metrics().balances?.hits ?? 0) > 0, "the new replica's hits");
      });

    // The single-server run covers this; on the cluster the same code paths run.
    if (singleOnly)
      it('reaches every replica when one invalidates a tag', async () => {
        if (!redis) return;
        const lines = new Writable({
          write(_chunk, _encoding, done) {
            done();
          },
        });
        const second = await startAccountsSubgraph(
          readAccountsConfig({
            NODE_ENV: 'development',
            UPSTREAM_BASE_URL: stack.sandboxUrl,
            ACCOUNTS_PORT: '0',
            REDIS_URL: redis.url,
            CACHE_ENCRYPTION_KEYS: `test-1:${testKeys.cacheKey.toString('base64')}`,
            ACCOUNTS_INTERNAL_KEY: deriveSubgraphKey(testKeys.internalSecret, 'accounts').toString('base64'),
            CACHE_TTL_OVERRIDES: 'balances=60:60,accounts=60:60,organisation=60:60,customers=60:60',
          }),
          createLogger('accounts-2', { destination: lines }),
        );
        try {
          const customer = customers.acme?.[1] as DirectoryCustomer;
          const token = tokenFor({ role: 'admin', tenant: 'acme' });
          const viaFirst = await stack.graphql(OVERVIEW, { token, variables: { id: customer.id } });
          const accountId = (viaFirst.body.data?.customer as { accounts: Array<{ id: string }> }).accounts[0]?.id as string;
          const balanceQuery = 'query ($id: ID!) { account(id: $id) { balance { current { amount } } } }';
          const { signInternalToken } = await import('../../lib/auth/internalToken.js');
          const internal = () =>
            signInternalToken(
              deriveSubgraphKey(testKeys.internalSecret, 'accounts'),
              'accounts',
              { sub: 'svc', tenant: 'acme', customerId: undefined, scopes: ['accounts:read'], amr: [] },
              'req-replica-0001',
            );
          await stack.graphql(balanceQuery, {
            url: second.url,
            headers: { 'x-fingraph-principal': internal() },
            variables: { id: accountId },
          });
          await stack.control('/reset', {});
          await stack.graphql(balanceQuery, {
            url: second.url,
            headers: { 'x-fingraph-principal': internal() },
            variables: { id: accountId },
          });
          assert.equal(
            totalCalls((await stack.control('/calls')) as Record<string, Record<string, number>>),
            0,
            'warm on the second replica',
          );

          await stack.accounts.cache.invalidate({ tenant: 'acme' }, [`account:${accountId}`]);
          await new Promise((resolve) => setTimeout(resolve, 100)); // pub/sub to the other replica's first level
          await stack.graphql(balanceQuery, {
            url: second.url,
            headers: { 'x-fingraph-principal': internal() },
            variables: { id: accountId },
          });
          const calls = (await stack.control('/calls')) as Record<string, Record<string, number>>;
          assert.ok(totalCalls(calls) >= 1, 'the second replica went back to the bank for the invalidated balance');
        } finally {
          await second.close();
        }
      });
  });
}
