// Prometheus metrics over the real stack (issue 15): after contract operations, each service's own metrics listener
// exposes requests by operation and outcome, latency histograms with the documented buckets (per request, per subgraph
// fetch, per upstream provider), errors by code and the subgraphs' cache counters, with the operation label bounded;
// the public API answers 404 at /metrics; /readyz is 200. A rate-limited request counts by budget, and the breaker
// gauges of the cache and the rate limiter read open while the stack's Redis is down and closed once it is back.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../lib/logging/logger.js';
import { durationBuckets } from '../../lib/metrics/index.js';
import { contractOperation } from '../support/contract.js';
import { type Exposition, sampleValue, scrape } from '../support/metricsText.js';
import { ask, limitToken, rateLimitGatewayEnv, startRateLimitGateway } from '../support/rateLimitGateway.js';
import { RedisHarness } from '../support/redis.js';
import { developmentSubgraphEnv, launchers, type Stack, startStack, subgraphNames } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

describe('metrics', () => {
  let stack: Stack;
  let gateway: Exposition;
  let accounts: Exposition;
  let identity: Exposition;

  before(async () => {
    stack = await startStack({
      env: {
        GATEWAY_METRICS_PORT: '0',
        ...Object.fromEntries(subgraphNames.map((name) => [`${name.toUpperCase()}_METRICS_PORT`, '0'])),
      },
    });
    const cfo = tokenFor({ role: 'cfo', tenant: 'acme' });
    const support = tokenFor({ role: 'support', tenant: 'acme' });
    // Twice: the second CashPosition is served from the accounts cache.
    for (let round = 0; round < 2; round += 1) {
      const cash = await stack.graphql(contractOperation('CashPosition'), { token: cfo, variables: { currency: 'USD' } });
      assert.equal(cash.body.errors, undefined, JSON.stringify(cash.body.errors));
    }
    const customers = await stack.graphql(contractOperation('Customers'), { token: support, variables: { first: 5 } });
    assert.equal(customers.body.errors, undefined, JSON.stringify(customers.body.errors));
    // The unified view: the gateway fetches from all four subgraphs, and each of them calls its upstreams.
    const page = customers.body.data?.customers as { edges: Array<{ node: { id: string } }> };
    const overview = await stack.graphql(contractOperation('CustomerOverview'), {
      token: tokenFor({ role: 'admin', tenant: 'acme' }),
      variables: { id: page.edges[0]?.node.id },
    });
    assert.equal(overview.body.errors, undefined, JSON.stringify(overview.body.errors));
    // Not a contract operation: a name of the client's choosing must not become a label of its own.
    const invented = await stack.graphql('query InventedByAClient { nope }', { token: support });
    assert.equal(invented.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    // Refused by the edge before Apollo Server: no token.
    const refused = await stack.graphql(contractOperation('Customers'), { variables: { first: 5 } });
    assert.equal(refused.status, 401);
    const anonymous = await stack.graphql('{ __typename }', { token: support });
    assert.equal(anonymous.body.errors, undefined, JSON.stringify(anonymous.body.errors));
    gateway = await scrape(stack.gatewayMetricsUrl as string);
    accounts = await scrape(stack.subgraphs.accounts.metricsUrl as string);
    identity = await scrape(stack.subgraphs.identity.metricsUrl as string);
  });

  after(async () => {
    await stack?.close();
  });

  it('counts the gateway requests by contract operation and outcome, bounding every other name', () => {
    assert.equal(gateway.types.get('fingraph_requests_total'), 'counter');
    const requests = (operation: string, outcome: string) =>
      sampleValue(gateway, 'fingraph_requests_total', { service: 'gateway', operation, outcome });
    assert.equal(requests('CashPosition', 'success'), 2);
    assert.equal(requests('Customers', 'success'), 1);
    assert.equal(requests('other', 'error'), 1);
    assert.equal(requests('anonymous', 'success'), 1);
    assert.equal(requests('none', 'refused'), 1);
    const operations = new Set(
      gateway.samples.filter((sample) => sample.name === 'fingraph_requests_total').map((s) => s.labels.operation),
    );
    assert.deepEqual([...operations].sort(), ['CashPosition', 'CustomerOverview', 'Customers', 'anonymous', 'none', 'other']);
  });

  it('records latency in the documented buckets, one observation per request', () => {
    assert.equal(gateway.types.get('fingraph_request_duration_seconds'), 'histogram');
    const buckets = gateway.samples
      .filter((sample) => sample.name === 'fingraph_request_duration_seconds_bucket' && sample.labels.operation === 'CashPosition')
      .map((sample) => sample.labels.le);
    assert.deepEqual(buckets, [...durationBuckets.map(String), '+Inf']);
    const labels = { service: 'gateway', operation: 'CashPosition' };
    assert.equal(sampleValue(gateway, 'fingraph_request_duration_seconds_count', labels), 2);
    assert.equal(sampleValue(gateway, 'fingraph_request_duration_seconds_bucket', { ...labels, le: '+Inf' }), 2);
    const sum = sampleValue(gateway, 'fingraph_request_duration_seconds_sum', labels) ?? 0;
    assert.ok(sum > 0 && sum < 30, `sum ${sum}`);
  });

  it('times each subgraph fetch at the gateway, by subgraph and outcome, in the same buckets', () => {
    assert.equal(gateway.types.get('fingraph_subgraph_fetch_duration_seconds'), 'histogram');
    const buckets = gateway.samples.filter((sample) => sample.name === 'fingraph_subgraph_fetch_duration_seconds_bucket');
    const reached = new Set(buckets.map((sample) => sample.labels.subgraph));
    // CustomerOverview alone reaches every subgraph.
    assert.deepEqual([...reached].sort(), [...subgraphNames].sort());
    for (const subgraph of subgraphNames) {
      const labels = { service: 'gateway', subgraph, outcome: 'ok' };
      const les = buckets.filter((sample) => sample.labels.subgraph === subgraph && sample.labels.outcome === 'ok').map((s) => s.labels.le);
      assert.deepEqual(les, [...durationBuckets.map(String), '+Inf'], subgraph);
      assert.ok((sampleValue(gateway, 'fingraph_subgraph_fetch_duration_seconds_count', labels) ?? 0) >= 1, subgraph);
    }
    assert.ok(
      buckets.every((sample) => sample.labels.outcome === 'ok'),
      'a fetch failed',
    );
  });

  it("times each subgraph's upstream calls by provider id and status class, never by URL", () => {
    assert.equal(identity.types.get('fingraph_upstream_duration_seconds'), 'histogram');
    const providers = (exposition: Exposition) =>
      new Set(
        exposition.samples.filter((sample) => sample.name === 'fingraph_upstream_duration_seconds_bucket').map((s) => s.labels.provider),
      );
    // CustomerOverview reads the customer from the directory and the KYC status from the KYC provider.
    for (const provider of ['directory', 'kyc']) {
      const labels = { service: 'identity', provider, outcome: '2xx' };
      assert.ok((sampleValue(identity, 'fingraph_upstream_duration_seconds_count', labels) ?? 0) >= 1, `identity: ${provider}`);
      assert.equal(
        sampleValue(identity, 'fingraph_upstream_duration_seconds_bucket', { ...labels, le: '+Inf' }),
        sampleValue(identity, 'fingraph_upstream_duration_seconds_count', labels),
      );
    }
    assert.ok(providers(accounts).size >= 2, `accounts called ${[...providers(accounts)].join(', ')}`);
    for (const provider of [...providers(identity), ...providers(accounts)]) {
      assert.match(String(provider), /^[a-z0-9_-]+$/, 'a provider label is an id, not a URL');
    }
    // The gateway calls no upstream: the family is there, its series are not.
    assert.equal(providers(gateway).size, 0);
  });

  it("exposes each auditing service's audit queue, its bound, failed writes and dropped records", async () => {
    const labels = { service: 'gateway' };
    assert.equal(sampleValue(gateway, 'fingraph_audit_queue_capacity', labels), stack.gatewayAudit.capacity);
    assert.ok(sampleValue(gateway, 'fingraph_audit_queue_depth', labels) !== undefined);
    assert.equal(sampleValue(gateway, 'fingraph_audit_sink_errors_total', labels), 0);
    assert.equal(sampleValue(gateway, 'fingraph_audit_records_dropped_total', labels), 0);
    assert.equal(sampleValue(identity, 'fingraph_audit_records_dropped_total', { service: 'identity' }), 0);
    // Accounts makes no regulated upstream call and has no audit trail of its own.
    assert.equal(sampleValue(accounts, 'fingraph_audit_queue_depth', { service: 'accounts' }), undefined);
  });

  it('has no breaker series where no Redis is configured (the in-process stores have none)', () => {
    for (const exposition of [gateway, accounts, identity]) {
      assert.equal(exposition.types.get('fingraph_breaker_state'), 'gauge');
      assert.ok(!exposition.samples.some((sample) => sample.name === 'fingraph_breaker_state'));
    }
  });

  it('counts errors by code, the edge refusals included', () => {
    assert.equal(sampleValue(gateway, 'fingraph_errors_total', { service: 'gateway', code: 'GRAPHQL_VALIDATION_FAILED' }), 1);
    assert.equal(sampleValue(gateway, 'fingraph_errors_total', { service: 'gateway', code: 'UNAUTHENTICATED' }), 1);
  });

  it("labels a subgraph's fetches by the client's operation and exposes its cache counters", () => {
    const fetches = sampleValue(accounts, 'fingraph_requests_total', {
      service: 'accounts',
      operation: 'CashPosition',
      outcome: 'success',
    });
    assert.ok((fetches ?? 0) >= 2, `accounts saw ${fetches} CashPosition fetches`);
    const total = (name: string) =>
      accounts.samples
        .filter((sample) => sample.name === name && sample.labels.service === 'accounts')
        .reduce((sum, s) => sum + s.value, 0);
    assert.ok(total('fingraph_cache_misses_total') > 0, 'no cache miss counted');
    assert.ok(total('fingraph_cache_hits_total') > 0, 'no cache hit counted');
    assert.equal(accounts.types.get('fingraph_cache_stale_served_total'), 'counter');
    assert.ok(
      accounts.samples.some((sample) => sample.name === 'fingraph_cache_hits_total' && sample.labels.namespace),
      'cache counters carry their namespace',
    );
    // Each service its own registry: the gateway's figures are not in the subgraph's exposition.
    assert.ok(accounts.samples.every((sample) => sample.labels.service === undefined || sample.labels.service === 'accounts'));
  });

  it("exposes every subgraph's cache counters and breaker gauge (each subgraph has a cache)", async () => {
    for (const name of subgraphNames) {
      const exposition = await scrape(stack.subgraphs[name].metricsUrl as string);
      for (const family of ['fingraph_cache_hits_total', 'fingraph_cache_misses_total', 'fingraph_cache_stale_served_total']) {
        assert.equal(exposition.types.get(family), 'counter', `${name}: ${family}`);
      }
      assert.equal(exposition.types.get('fingraph_breaker_state'), 'gauge', name);
    }
  });

  it('serves /metrics only on the metrics listener: the public API answers 404', async () => {
    for (const url of [stack.gatewayUrl, ...Object.values(stack.subgraphUrls)]) {
      const response = await fetch(new URL('/metrics', url));
      assert.equal(response.status, 404, url);
      await response.body?.cancel();
    }
    for (const name of subgraphNames) assert.ok(stack.subgraphs[name].metricsUrl, `${name} has no metrics listener`);
  });

  it('answers /readyz 200 on every service when its dependencies do', async () => {
    for (const url of [stack.gatewayUrl, ...Object.values(stack.subgraphUrls)]) {
      const response = await fetch(new URL('/readyz', url));
      assert.equal(response.status, 200, url);
      assert.deepEqual(await response.json(), { status: 'ready' });
    }
  });
});

describe('rate-limit refusals in the metrics', () => {
  it('counts each refusal once per budget that refused it, by policy and never by tenant, client or address', async () => {
    // In process, no Redis: one unit per IP, tenant and client; the subgraphs are never reached by `{ __typename }`.
    const env = rateLimitGatewayEnv(undefined, {
      GATEWAY_METRICS_PORT: '0',
      RATE_LIMIT_IP: '1/3600:1',
      RATE_LIMIT_PLANS: 'default=1/3600:1',
    });
    const gateway = await startRateLimitGateway(env);
    try {
      // Without a token: charged to the address, the first answered 401, the second refused by the ip budget.
      assert.equal((await ask(gateway.url, '{ __typename }')).status, 401);
      assert.equal((await ask(gateway.url, '{ __typename }')).status, 429);
      // With one: the tenant's one unit (its client's share rounds up to one too) spent by the first request.
      const token = limitToken({ tenant: 'tenant-m', sub: 'staff-1', azp: 'web' });
      assert.equal((await ask(gateway.url, '{ __typename }', { token })).status, 200);
      assert.equal((await ask(gateway.url, '{ __typename }', { token })).status, 429);
      const metrics = await scrape(gateway.server.metricsUrl as string);
      assert.equal(metrics.types.get('fingraph_rate_limit_refusals_total'), 'counter');
      const refusals = (policy: string) => sampleValue(metrics, 'fingraph_rate_limit_refusals_total', { service: 'gateway', policy });
      assert.equal(refusals('ip'), 1);
      assert.equal(refusals('tenant'), 1);
      assert.equal(refusals('client'), 1);
      const labels = metrics.samples.filter((sample) => sample.name === 'fingraph_rate_limit_refusals_total').map((s) => s.labels);
      assert.ok(
        labels.every((set) => Object.keys(set).sort().join() === 'policy,service'),
        JSON.stringify(labels),
      );
    } finally {
      await gateway.server.close();
    }
  });
});

describe('breaker states in the metrics, over Redis', () => {
  let redis: RedisHarness;
  let stack: Stack;
  const cfo = tokenFor({ role: 'cfo', tenant: 'acme' });

  before(async () => {
    redis = await RedisHarness.start();
    stack = await startStack({
      redis,
      env: { GATEWAY_METRICS_PORT: '0', ACCOUNTS_METRICS_PORT: '0' },
    });
  });

  after(async () => {
    await stack?.close();
    await redis?.close();
  });

  const breaker = async (url: string | undefined, name: string) =>
    sampleValue(await scrape(url as string), 'fingraph_breaker_state', { breaker: name });

  /**
   * Sends traffic that reaches Redis (a cache reset, which also empties the first level, then a read) and scrapes,
   * until both breakers read `expected`, or fails after a bounded wait. No clock can be passed here: the breakers run
   * on Redis's failures and ioredis's reconnect back-off, which take their own time.
   */
  async function untilBreakers(expected: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await stack.resetCache();
      await stack.graphql(contractOperation('CashPosition'), { token: cfo, variables: { currency: 'USD' } });
      const cache = await breaker(stack.subgraphs.accounts.metricsUrl, 'cache');
      const limiter = await breaker(stack.gatewayMetricsUrl, 'rate-limit-store');
      if (cache === expected && limiter === expected) return;
      if (Date.now() > deadline) assert.fail(`breakers: cache ${cache}, rate-limit-store ${limiter}, expected ${expected}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('reads every breaker closed while Redis answers', async () => {
    const answer = await stack.graphql(contractOperation('CashPosition'), { token: cfo, variables: { currency: 'USD' } });
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    assert.equal(await breaker(stack.subgraphs.accounts.metricsUrl, 'cache'), 0);
    assert.equal(await breaker(stack.gatewayMetricsUrl, 'rate-limit-store'), 0);
    assert.equal(await breaker(stack.gatewayMetricsUrl, 'apq-cache'), 0);
  });

  it('reads the cache and rate-limiter breakers open (2) while Redis is down, and closed (0) once it is back', async () => {
    await redis.stop();
    await untilBreakers(2);
    await redis.restart();
    await untilBreakers(0);
  });
});

describe('metrics listener that cannot listen', () => {
  it('stops the start with the listen error and its port, which startOrExit turns into one line', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
    try {
      const env = { ...developmentSubgraphEnv('accounts', 0, 'http://127.0.0.1:9'), ACCOUNTS_METRICS_PORT: String(port) };
      await assert.rejects(launchers.accounts(env, createLogger('accounts', { level: 'info', destination: silent }), {}), {
        code: 'EADDRINUSE',
        port,
      });
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
