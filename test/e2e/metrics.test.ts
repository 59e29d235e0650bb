// Prometheus metrics over the real stack (issue 15): after contract operations, each service's own metrics listener
// exposes requests by operation and outcome, latency histograms with the documented buckets, errors by code and the
// subgraphs' cache counters, with the operation label bounded; the public API answers 404 at /metrics; /readyz is 200.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../lib/logging/logger.js';
import { durationBuckets } from '../../lib/metrics/index.js';
import { contractOperation } from '../support/contract.js';
import { type Exposition, sampleValue, scrape } from '../support/metricsText.js';
import { developmentSubgraphEnv, launchers, type Stack, startStack, subgraphNames } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

describe('metrics', () => {
  let stack: Stack;
  let gateway: Exposition;
  let accounts: Exposition;

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
    assert.deepEqual([...operations].sort(), ['CashPosition', 'Customers', 'anonymous', 'none', 'other']);
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
