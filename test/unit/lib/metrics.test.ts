// lib/metrics: the operation label's bound, the error code's bound, the cache counters copied (not added) at each
// scrape, and the metrics configuration (off when unset, loopback by default).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NamespaceMetrics } from '../../../lib/cache/metrics.js';
import { ConfigError } from '../../../lib/config/env.js';
import { createServiceMetrics, operationLabel, readMetricsConfig } from '../../../lib/metrics/index.js';
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
