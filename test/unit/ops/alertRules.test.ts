// ops/prometheus/alerts.yml stays loadable and true: a Prometheus rules file (groups of named alerts, each with an
// expression, a `for`, a severity and a summary), every expression parsed by Prometheus's own PromQL grammar, and every
// metric, label and error code it names one that the services' registries really expose. A rule naming a metric that
// does not exist fails here, not silently in production (Prometheus loads such a rule and it simply never fires).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { fromRoot } from '../../../lib/config/paths.js';
import { ErrorCode } from '../../../lib/errors/index.js';
import { createServiceMetrics } from '../../../lib/metrics/index.js';
import { subgraphs } from '../../../schema/subgraphs.js';
import { parseExposition } from '../../support/metricsText.js';

const rulesFile = fromRoot('ops', 'prometheus', 'alerts.yml');

/** Labels Prometheus adds to every scraped series itself. */
const targetLabels = ['instance', 'job'];

/** A label's known values, where the code bounds them: checked in every `=` or `=~` matcher that names the label. */
const knownValues: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['code', new Set<string>([...Object.values(ErrorCode), 'other'])],
  ['service', new Set(['gateway', ...subgraphs.map(({ name }) => name)])],
]);

/**
 * Every sample name (histograms with their _bucket, _sum and _count) and its label names that a service can expose:
 * a registry with every provider, fed one observation of each kind, read back as a scraper reads it.
 */
async function exposedSeries(): Promise<Map<string, Set<string>>> {
  const metrics = createServiceMetrics({
    service: 'gateway',
    operations: new Set(['CustomerOverview']),
    cacheMetrics: () => ({ balances: { hits: 1, misses: 1, staleServed: 1, errors: 0, upstreamCalls: 1, upstreamCallsSaved: 0 } }),
    breakers: () => ({ cache: 'closed' }),
    audit: () => ({ queued: 0, writeErrors: 0, dropped: 0, capacity: 1 }),
  });
  metrics.observe({ operationName: 'CustomerOverview', outcome: 'error', durationSeconds: 0.1, errorCodes: ['INTERNAL_SERVER_ERROR'] });
  metrics.subgraphFetch({ subgraph: 'accounts', outcome: 'ok', durationSeconds: 0.1 });
  metrics.upstream({ provider: 'directory', outcome: '2xx', durationSeconds: 0.1 });
  metrics.rateLimited(['tenant']);
  const series = new Map<string, Set<string>>();
  for (const sample of parseExposition(await metrics.registry.metrics()).samples) {
    const labels = series.get(sample.name) ?? new Set(targetLabels);
    for (const label of Object.keys(sample.labels)) labels.add(label);
    series.set(sample.name, labels);
  }
  return series;
}

interface ExprProblems {
  readonly metrics: readonly string[];
  readonly problems: readonly string[];
}

/** Parses one expression with Prometheus's grammar and lists what is wrong with it against the exposed series. */
function check(expr: string, series: ReadonlyMap<string, ReadonlySet<string>>): ExprProblems {
  const problems: string[] = [];
  const metrics: string[] = [];
  const labels: string[] = [];
  const matchers: Array<{ label: string; op: string; value: string }> = [];
  const text = (from: number, to: number) => expr.slice(from, to);
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) problems.push(`syntax error at ${node.from}: ${JSON.stringify(text(node.from, node.to + 10))}`);
      if (node.name === 'VectorSelector') {
        const name = node.node.getChild('Identifier');
        if (name) metrics.push(text(name.from, name.to));
        else problems.push(`a selector without a metric name: ${text(node.from, node.to)}`);
      }
      if (node.name === 'LabelName') labels.push(text(node.from, node.to));
      if (node.name === 'UnquotedLabelMatcher') {
        const label = node.node.getChild('LabelName');
        const op = node.node.getChild('MatchOp');
        const value = node.node.getChild('StringLiteral');
        if (label && op && value) {
          matchers.push({ label: text(label.from, label.to), op: text(op.from, op.to), value: text(value.from + 1, value.to - 1) });
        }
      }
    },
  });
  if (metrics.length === 0) problems.push('names no metric');
  const available = new Set<string>();
  for (const metric of metrics) {
    const exposed = series.get(metric);
    if (!exposed) problems.push(`names ${metric}, which no service exposes`);
    for (const label of exposed ?? []) available.add(label);
  }
  for (const label of labels) if (!available.has(label)) problems.push(`names the label ${label}, which none of ${metrics.join(', ')} has`);
  for (const { label, op, value } of matchers) {
    const known = knownValues.get(label);
    if (!known || (op !== '=' && op !== '=~')) continue;
    for (const alternative of op === '=~' ? value.split('|') : [value]) {
      if (!known.has(alternative)) problems.push(`matches ${label}="${alternative}", which is not a value of ${label}`);
    }
  }
  return { metrics, problems };
}

interface Rule {
  readonly alert?: unknown;
  readonly expr?: unknown;
  readonly for?: unknown;
  readonly labels?: { readonly severity?: unknown };
  readonly annotations?: { readonly summary?: unknown; readonly description?: unknown };
}

function readRules(): Array<{ group: string; rule: Rule }> {
  const document: unknown = parse(readFileSync(rulesFile, 'utf8'));
  assert.ok(document && typeof document === 'object' && 'groups' in document && Array.isArray(document.groups), 'no groups list');
  const rules: Array<{ group: string; rule: Rule }> = [];
  for (const group of document.groups as unknown[]) {
    assert.ok(group && typeof group === 'object', 'a group is not a map');
    const { name, rules: list } = group as { name?: unknown; rules?: unknown };
    assert.ok(typeof name === 'string' && name !== '', 'a group without a name');
    assert.ok(Array.isArray(list) && list.length > 0, `group ${name} has no rules`);
    for (const rule of list as unknown[]) {
      assert.ok(rule && typeof rule === 'object', `group ${name}: a rule is not a map`);
      rules.push({ group: name, rule: rule as Rule });
    }
  }
  return rules;
}

describe('alerting rules', () => {
  it('is a Prometheus rules file: named groups of alerts, each with an expression, a for, a severity and a summary', () => {
    const rules = readRules();
    const names = new Set<string>();
    for (const { group, rule } of rules) {
      assert.ok(typeof rule.alert === 'string' && /^[A-Za-z][A-Za-z0-9]*$/.test(rule.alert), `${group}: a rule without an alert name`);
      assert.ok(!names.has(rule.alert), `${rule.alert} is defined twice`);
      names.add(rule.alert);
      assert.ok(typeof rule.expr === 'string' && rule.expr.trim() !== '', `${rule.alert}: no expr`);
      assert.ok(typeof rule.for === 'string' && /^\d+[smhdwy]$/.test(rule.for), `${rule.alert}: for is not a duration`);
      assert.ok(rule.labels?.severity === 'warning' || rule.labels?.severity === 'critical', `${rule.alert}: severity`);
      assert.ok(typeof rule.annotations?.summary === 'string' && rule.annotations.summary !== '', `${rule.alert}: no summary`);
    }
  });

  it('alerts on p99 per operation, subgraph fetch and upstream, errors, refusals, breakers and the audit trail', () => {
    const exprs = readRules().map(({ rule }) => String(rule.expr));
    const mentions = (pattern: RegExp) => exprs.some((expr) => pattern.test(expr));
    for (const histogram of [
      'fingraph_request_duration_seconds',
      'fingraph_subgraph_fetch_duration_seconds',
      'fingraph_upstream_duration_seconds',
    ]) {
      assert.ok(mentions(new RegExp(`histogram_quantile\\(0\\.99,[\\s\\S]*${histogram}_bucket`)), `no p99 rule over ${histogram}`);
    }
    assert.ok(mentions(/fingraph_errors_total[\s\S]*\/[\s\S]*fingraph_requests_total/), 'no error-rate rule');
    for (const metric of [
      'fingraph_rate_limit_refusals_total',
      'fingraph_breaker_state',
      'fingraph_audit_queue_depth',
      'fingraph_audit_sink_errors_total',
    ]) {
      assert.ok(mentions(new RegExp(metric)), `no rule on ${metric}`);
    }
  });

  it('parses every expression and names only metrics, labels and codes the services expose', async () => {
    const series = await exposedSeries();
    for (const { rule } of readRules()) {
      const { problems } = check(String(rule.expr), series);
      assert.deepEqual(problems, [], `${String(rule.alert)}: ${problems.join('; ')}`);
      // The annotations' $labels must survive the expression's aggregation, or they print empty.
      const annotations = `${String(rule.annotations?.summary)} ${String(rule.annotations?.description ?? '')}`;
      for (const match of annotations.matchAll(/\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)/g)) {
        assert.ok(String(rule.expr).includes(match[1] as string), `${String(rule.alert)}: its annotations use $labels.${match[1]}`);
      }
    }
  });

  it('finds what a broken rule would get wrong (so the check above can fail)', async () => {
    const series = await exposedSeries();
    const problems = (expr: string) => check(expr, series).problems.join('; ');
    assert.equal(problems('sum by (service) (rate(fingraph_requests_total[5m])) > 1'), '');
    assert.match(problems('rate(fingraph_request_total[5m]) > 1'), /fingraph_request_total, which no service exposes/);
    assert.match(problems('histogram_quantile(0.99, rate(fingraph_upstream_duration_seconds[5m]))'), /no service exposes/);
    assert.match(problems('sum by (tenant) (rate(fingraph_requests_total[5m]))'), /label tenant/);
    assert.match(problems('sum(rate(fingraph_errors_total{code="TIMEOUT"}[5m]))'), /code="TIMEOUT"/);
    assert.match(problems('sum(rate(fingraph_requests_total[5m])'), /syntax error/);
    assert.match(problems('rate(fingraph_requests_total[5m]) >'), /syntax error/);
  });
});
