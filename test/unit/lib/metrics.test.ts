// lib/metrics: the operation label's bound, the error code's bound, the cache counters copied (not added) at each
// scrape, the fetch and upstream histograms, rate-limit refusals by budget, breaker states and audit figures read at
// each scrape, and the metrics configuration (off when unset, loopback by default).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BreakerState } from '../../../lib/cache/index.js';
import type { NamespaceMetrics } from '../../../lib/cache/metrics.js';
import { ConfigError } from '../../../lib/config/env.js';
import { createServiceMetrics, durationBuckets, operationLabel, readMetricsConfig } from '../../../lib/metrics/index.js';
import { parseExposition, sampleValue } from '../../support/metricsText.js';

const known = new Set(['CashPosition', 'Customers']);

function counters(hits: number): NamespaceMetrics {
  return { hits, misses: 1, staleServed: 0, errors: 0, upstreamCalls: 1, upstreamCallsSaved: 0 };
}

describe('metrics', () => {
  it('labels only the known operations by name, gateway fetches by their operation', () => {
    assert.equal(operationLabel('CashPosition', known), 'CashPosition');
    assert.equal(operationLabel('CashPosition__accounts__0', known), 'CashPosition');
    assert.equal(operationLabel('CashPosition__payments__12', known), 'CashPosition');
    assert.equal(operationLabel('Whatever', known), 'other');
    assert.equal(operationLabel('Whatever__accounts__1', known), 'other');
    assert.equal(operationLabel(undefined, known), 'anonymous');
    assert.equal(operationLabel('', known), 'anonymous');
  });

  it('bounds error codes to ours, a missing code counting as the masked internal error', async () => {
    const metrics = createServiceMetrics({ service: 'unit', operations: known });
    metrics.observe({
      operationName: 'Customers',
      outcome: 'error',
      durationSeconds: 0.01,
      errorCodes: ['FORBIDDEN', 'MADE_UP', undefined],
    });
    const text = parseExposition(await metrics.registry.metrics());
    assert.equal(sampleValue(text, 'fingraph_errors_total', { code: 'FORBIDDEN' }), 1);
    assert.equal(sampleValue(text, 'fingraph_errors_total', { code: 'other' }), 1);
    assert.equal(sampleValue(text, 'fingraph_errors_total', { code: 'INTERNAL_SERVER_ERROR' }), 1);
    assert.equal(sampleValue(text, 'fingraph_requests_total', { operation: 'Customers', outcome: 'error' }), 1);
  });

  it('counts an edge refusal under the operation `none` and its code', async () => {
    const metrics = createServiceMetrics({ service: 'unit', operations: known });
    metrics.refused('RATE_LIMITED');
    const text = parseExposition(await metrics.registry.metrics());
    assert.equal(sampleValue(text, 'fingraph_requests_total', { operation: 'none', outcome: 'refused' }), 1);
    assert.equal(sampleValue(text, 'fingraph_errors_total', { code: 'RATE_LIMITED' }), 1);
    // Not a latency observation: nothing ran.
    assert.equal(sampleValue(text, 'fingraph_request_duration_seconds_count', {}), undefined);
  });

  it("copies the cache's cumulative counters at each scrape rather than adding them up", async () => {
    let hits = 3;
    const metrics = createServiceMetrics({ service: 'unit', operations: known, cacheMetrics: () => ({ balances: counters(hits) }) });
    const first = parseExposition(await metrics.registry.metrics());
    assert.equal(sampleValue(first, 'fingraph_cache_hits_total', { service: 'unit', namespace: 'balances' }), 3);
    hits = 5;
    const second = parseExposition(await metrics.registry.metrics());
    assert.equal(sampleValue(second, 'fingraph_cache_hits_total', { namespace: 'balances' }), 5);
    assert.equal(sampleValue(second, 'fingraph_cache_misses_total', { namespace: 'balances' }), 1);
    assert.equal(sampleValue(second, 'fingraph_cache_stale_served_total', { namespace: 'balances' }), 0);
  });

  it('keeps two services apart: each its own registry', async () => {
    const one = createServiceMetrics({ service: 'one', operations: known });
    const two = createServiceMetrics({ service: 'two', operations: known });
    one.observe({ operationName: 'Customers', outcome: 'success', durationSeconds: 0.01, errorCodes: [] });
    const text = parseExposition(await two.registry.metrics());
    assert.equal(sampleValue(text, 'fingraph_requests_total', {}), undefined);
  });

  it('records subgraph fetches and upstream calls in the request buckets, labelled by subgraph, provider and outcome', async () => {
    const metrics = createServiceMetrics({ service: 'unit', operations: known });
    metrics.subgraphFetch({ subgraph: 'accounts', outcome: 'ok', durationSeconds: 0.02 });
    metrics.subgraphFetch({ subgraph: 'accounts', outcome: 'timeout', durationSeconds: 6 });
    // Passed around unbound, as the subgraphs hand it to their upstream clients.
    const { upstream } = metrics;
    upstream({ provider: 'northwind', outcome: '2xx', durationSeconds: 0.004 });
    upstream({ provider: 'northwind', outcome: '5xx', durationSeconds: 0.3 });
    const text = parseExposition(await metrics.registry.metrics());
    assert.equal(text.types.get('fingraph_subgraph_fetch_duration_seconds'), 'histogram');
    assert.equal(text.types.get('fingraph_upstream_duration_seconds'), 'histogram');
    const fetch = { service: 'unit', subgraph: 'accounts' };
    assert.equal(sampleValue(text, 'fingraph_subgraph_fetch_duration_seconds_bucket', { ...fetch, outcome: 'ok', le: '0.025' }), 1);
    assert.equal(sampleValue(text, 'fingraph_subgraph_fetch_duration_seconds_bucket', { ...fetch, outcome: 'timeout', le: '5' }), 0);
    assert.equal(sampleValue(text, 'fingraph_subgraph_fetch_duration_seconds_count', { ...fetch, outcome: 'timeout' }), 1);
    const les = text.samples
      .filter((sample) => sample.name === 'fingraph_upstream_duration_seconds_bucket' && sample.labels.outcome === '2xx')
      .map((sample) => sample.labels.le);
    assert.deepEqual(les, [...durationBuckets.map(String), '+Inf']);
    assert.equal(sampleValue(text, 'fingraph_upstream_duration_seconds_bucket', { provider: 'northwind', outcome: '2xx', le: '0.005' }), 1);
    assert.equal(sampleValue(text, 'fingraph_upstream_duration_seconds_count', { provider: 'northwind', outcome: '5xx' }), 1);
  });

  it('counts a rate-limit refusal once per budget that refused it', async () => {
    const metrics = createServiceMetrics({ service: 'unit', operations: known });
    metrics.rateLimited(['tenant', 'client']);
    metrics.rateLimited(['ip']);
    metrics.rateLimited(['client']);
    const text = parseExposition(await metrics.registry.metrics());
    assert.equal(text.types.get('fingraph_rate_limit_refusals_total'), 'counter');
    assert.equal(sampleValue(text, 'fingraph_rate_limit_refusals_total', { service: 'unit', policy: 'client' }), 2);
    assert.equal(sampleValue(text, 'fingraph_rate_limit_refusals_total', { policy: 'tenant' }), 1);
    assert.equal(sampleValue(text, 'fingraph_rate_limit_refusals_total', { policy: 'ip' }), 1);
  });

  it('reads each breaker at scrape as 0 closed, 1 half-open, 2 open, leaving out one that has none', async () => {
    const states: Record<string, BreakerState | undefined> = { cache: 'closed', 'rate-limit-store': undefined };
    const metrics = createServiceMetrics({ service: 'unit', operations: known, breakers: () => states });
    const read = async () => parseExposition(await metrics.registry.metrics());
    const first = await read();
    assert.equal(first.types.get('fingraph_breaker_state'), 'gauge');
    assert.equal(sampleValue(first, 'fingraph_breaker_state', { service: 'unit', breaker: 'cache' }), 0);
    assert.equal(sampleValue(first, 'fingraph_breaker_state', { breaker: 'rate-limit-store' }), undefined);
    states.cache = 'open';
    states['rate-limit-store'] = 'half-open';
    const second = await read();
    assert.equal(sampleValue(second, 'fingraph_breaker_state', { breaker: 'cache' }), 2);
    assert.equal(sampleValue(second, 'fingraph_breaker_state', { breaker: 'rate-limit-store' }), 1);
    // A breaker that disappears (a connector closed) leaves no stale series behind.
    delete states.cache;
    assert.equal(sampleValue(await read(), 'fingraph_breaker_state', { breaker: 'cache' }), undefined);
  });

  it("reads the audit trail's queue depth and bound, and copies its write-error and dropped counts at each scrape", async () => {
    // The provider's figures as plain numbers that move (the sinks themselves are read in test/e2e/metrics.test.ts).
    const audit = { queued: 7, writeErrors: 0, dropped: 0, capacity: 10 };
    const metrics = createServiceMetrics({ service: 'unit', operations: known, audit: () => audit });
    const first = parseExposition(await metrics.registry.metrics());
    assert.equal(first.types.get('fingraph_audit_queue_depth'), 'gauge');
    assert.equal(first.types.get('fingraph_audit_sink_errors_total'), 'counter');
    assert.equal(sampleValue(first, 'fingraph_audit_queue_depth', { service: 'unit' }), 7);
    assert.equal(sampleValue(first, 'fingraph_audit_sink_errors_total', { service: 'unit' }), 0);
    assert.equal(sampleValue(first, 'fingraph_audit_queue_capacity', { service: 'unit' }), 10);
    assert.equal(sampleValue(first, 'fingraph_audit_records_dropped_total', { service: 'unit' }), 0);
    audit.queued = 0;
    audit.writeErrors = 3;
    audit.dropped = 2;
    const second = parseExposition(await metrics.registry.metrics());
    assert.equal(sampleValue(second, 'fingraph_audit_queue_depth', { service: 'unit' }), 0);
    assert.equal(sampleValue(second, 'fingraph_audit_sink_errors_total', { service: 'unit' }), 3);
    assert.equal(sampleValue(second, 'fingraph_audit_records_dropped_total', { service: 'unit' }), 2);
    assert.equal(sampleValue(parseExposition(await metrics.registry.metrics()), 'fingraph_audit_sink_errors_total', {}), 3);
  });

  it('exposes no breaker or audit family for a service without those providers', async () => {
    const metrics = createServiceMetrics({ service: 'unit', operations: known });
    const names = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    for (const name of ['fingraph_breaker_state', 'fingraph_audit_queue_depth', 'fingraph_audit_sink_errors_total']) {
      assert.ok(!names.includes(name), name);
    }
  });

  it('opens no listener unless its port is set, on loopback unless METRICS_HOST says otherwise', () => {
    assert.equal(readMetricsConfig({}, 'GATEWAY'), undefined);
    assert.deepEqual(readMetricsConfig({ GATEWAY_METRICS_PORT: '9464' }, 'GATEWAY'), { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(readMetricsConfig({ ACCOUNTS_METRICS_PORT: '9465', METRICS_HOST: '0.0.0.0' }, 'ACCOUNTS'), {
      host: '0.0.0.0',
      port: 9465,
    });
    assert.throws(() => readMetricsConfig({ GATEWAY_METRICS_PORT: 'metrics' }, 'GATEWAY'), ConfigError);
  });
});
