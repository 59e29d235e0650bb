// Tracing (issue 15) over the real stack, all five services in this process: with no provider registered, answers
// carry no trace id and nothing else changes; with an in-memory exporter, CustomerOverview is one trace, from the
// gateway's SERVER span through @apollo/gateway's spans, each subgraph's SERVER span and cache and store spans, to
// every upstream CLIENT span, linked by parent ids; its id is in the answer's extensions and in the requests' log
// lines; a client's own traceparent is linked, never adopted; and no span holds a seeded customer's personal data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { startTracing, TraceAttribute, type Tracing } from '../../lib/telemetry/index.js';
import { credentials } from '../support/bankTruth.js';
import { contractOperation } from '../support/contract.js';
import { seededPersonalData } from '../support/personalData.js';
import { type GraphQLResponse, type Stack, startStack } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

const SUBGRAPHS = ['identity', 'accounts', 'payments', 'credit'] as const;
/** What each subgraph reaches for CustomerOverview beyond its cache: upstream providers, or its own store (payments). */
const CALLS_OUT = { identity: 'upstream', accounts: 'upstream', credit: 'upstream', payments: 'store' } as const;

interface DirectoryCustomer {
  id: string;
  bank_links: Array<{ type: string }>;
}

/** Waits, without a fixed sleep, until `done` holds: spans end when each answer's connection event fires. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 2000; attempt += 1) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('tracing', () => {
  let stack: Stack;
  let customer: DirectoryCustomer;
  let tracing: Tracing | undefined;
  const exporter = new InMemorySpanExporter();
  const token = tokenFor({ role: 'admin', tenant: 'acme' });

  before(async () => {
    stack = await startStack();
    const page = (await stack.upstream('/directory/v1/customers?limit=100', credentials.acme?.directory as string)) as {
      data: DirectoryCustomer[];
    };
    // A customer banking only at core banks: no consent that may have expired, so every part of the view is served.
    const found = page.data.find((entry) => entry.bank_links.length > 0 && entry.bank_links.every((link) => link.type === 'core_banking'));
    assert.ok(found);
    customer = found;
  });
  after(async () => {
    await tracing?.shutdown();
    await stack.close();
  });

  const overview = (headers: Record<string, string> = {}): Promise<GraphQLResponse> =>
    stack.graphql(contractOperation('CustomerOverview'), { token, variables: { id: customer.id }, headers });

  describe('with an in-memory exporter', () => {
    let response: GraphQLResponse;
    let spans: ReadableSpan[];
    let root: ReadableSpan;
    let logged: number;
    const byId = new Map<string, ReadableSpan>();
    const parentOf = (span: ReadableSpan) => (span.parentSpanContext ? byId.get(span.parentSpanContext.spanId) : undefined);
    const ancestors = (span: ReadableSpan): ReadableSpan[] => {
      const parent = parentOf(span);
      return parent ? [parent, ...ancestors(parent)] : [];
    };
    const serverSpanOf = (service: string) =>
      spans.find((span) => span.kind === SpanKind.SERVER && span.attributes[TraceAttribute.SERVICE] === service);

    before(async () => {
      tracing = startTracing({ service: 'test', exporter });
      // Every read a miss, so each subgraph calls its upstreams under this request's trace.
      await stack.resetCache();
      exporter.reset();
      logged = stack.logs.length;
      response = await overview();
      assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
      // The subgraphs' SERVER spans end when their answers' connections report them sent, the gateway's last.
      await until(
        () =>
          ['gateway', ...SUBGRAPHS].every((service) =>
            exporter
              .getFinishedSpans()
              .some((span) => span.kind === SpanKind.SERVER && span.attributes[TraceAttribute.SERVICE] === service),
          ),
        'every SERVER span to end',
      );
      spans = exporter.getFinishedSpans();
      for (const span of spans) byId.set(span.spanContext().spanId, span);
      const gateway = serverSpanOf('gateway');
      assert.ok(gateway, 'the gateway has a SERVER span');
      root = gateway;
    });

    after(async () => {
      await tracing?.shutdown();
    });

    it('makes the request one trace, rooted at the gateway SERVER span, with every span linked to its parent', () => {
      assert.equal(root.parentSpanContext, undefined, 'the gateway starts the trace');
      assert.equal(root.name, 'POST /graphql');
      const traceId = root.spanContext().traceId;
      assert.deepEqual([...new Set(spans.map((span) => span.spanContext().traceId))], [traceId], 'every span in one trace');
      for (const span of spans) {
        if (span === root) continue;
        assert.ok(parentOf(span), `${span.name}'s parent is a span of the trace`);
        assert.equal(ancestors(span).at(-1), root, `${span.name} descends from the gateway's SERVER span`);
      }
      assert.equal(response.body.extensions?.traceId, traceId, 'the answer names the trace');
    });

    it("holds the gateway's phases: parse, validate, admission, and @apollo/gateway's request, plan and fetches", () => {
      for (const name of ['graphql.parse', 'graphql.validate', 'graphql.authorise', 'gateway.request', 'gateway.plan', 'gateway.fetch']) {
        const span = spans.find((candidate) => candidate.name === name);
        assert.ok(span, `a ${name} span`);
        assert.ok(ancestors(span).includes(root));
      }
    });

    it('has a SERVER span of each of the four subgraphs, each the child of the gateway.fetch for it', () => {
      for (const name of SUBGRAPHS) {
        const server = serverSpanOf(name);
        assert.ok(server, `${name} has a SERVER span`);
        const parent = parentOf(server);
        assert.equal(parent?.name, 'gateway.fetch', `${name}'s parent is a gateway fetch`);
        assert.equal(parent?.attributes.service, name, `the fetch to ${name} is its parent`);
        assert.equal(server.attributes['http.response.status_code'], 200);
      }
    });

    it('has each subgraph’s cache look-ups, and its upstream CLIENT spans (or store calls) below them', () => {
      const below = (server: ReadableSpan) => spans.filter((span) => ancestors(span).includes(server));
      for (const name of SUBGRAPHS) {
        const server = serverSpanOf(name) as ReadableSpan;
        const inside = below(server);
        // No span of a subgraph's sits under another subgraph's SERVER span.
        for (const span of inside)
          assert.equal(
            ancestors(span).find((ancestor) => ancestor.kind === SpanKind.SERVER),
            server,
          );
        if (CALLS_OUT[name] === 'upstream') {
          const calls = inside.filter((span) => span.kind === SpanKind.CLIENT && span.name.startsWith('upstream '));
          assert.ok(calls.length > 0, `${name} calls its upstreams under its SERVER span`);
          for (const call of calls) {
            assert.match(call.name, /^upstream [a-z0-9-]+ (GET|POST)$/);
            assert.deepEqual(Object.keys(call.attributes).sort(), [
              TraceAttribute.UPSTREAM_PROVIDER,
              'http.request.method',
              'http.response.status_code',
            ]);
          }
          // A read through the cache calls out inside the look-up it fills (an access check may call out uncached).
          assert.ok(
            calls.some((call) => ancestors(call).some((span) => span.name.startsWith('cache '))),
            `${name}'s cache misses call out inside their look-ups`,
          );
          const looks = inside.filter((span) => span.name.startsWith('cache '));
          assert.ok(looks.length > 0);
          for (const look of looks) {
            assert.equal(look.name, `cache ${look.attributes[TraceAttribute.CACHE_NAMESPACE] as string}`);
            assert.ok(['hit', 'stale', 'miss'].includes(look.attributes[TraceAttribute.CACHE_OUTCOME] as string));
          }
          assert.ok(
            looks.some((look) => look.attributes[TraceAttribute.CACHE_OUTCOME] === 'miss'),
            'the emptied cache misses',
          );
        } else {
          assert.ok(
            inside.some((span) => span.name.startsWith('store payments ') && span.attributes[TraceAttribute.STORE] === 'payments'),
            `${name} reads its store under its SERVER span`,
          );
        }
      }
    });

    it("writes the trace id on the gateway's and every subgraph's log line for the request", async () => {
      const traceId = root.spanContext().traceId;
      const requestId = response.headers.get('x-request-id');
      await until(
        () => stack.logs.slice(logged).filter((line) => line.msg === 'request' && line.traceId === traceId).length >= 1 + SUBGRAPHS.length,
        'the request log lines',
      );
      const lines = stack.logs.slice(logged).filter((line) => line.msg === 'request' && line.traceId === traceId);
      assert.ok(lines.some((line) => line.service === 'gateway' && line.requestId === requestId));
      for (const name of SUBGRAPHS)
        assert.ok(
          lines.some((line) => line.service === name),
          `${name}'s request line`,
        );
      // Every line the request wrote names its trace and a span of it.
      for (const line of stack.logs.slice(logged).filter((entry) => entry.requestId === requestId)) {
        assert.equal(line.traceId, traceId, JSON.stringify(line));
        assert.ok(byId.has(line.spanId as string), `${line.msg as string}'s span is one of the trace`);
      }
    });

    it('never holds a seeded customer’s personal data in a span name, attribute, event or link', () => {
      const needles = seededPersonalData({ ids: true });
      assert.ok(needles.length > 1000, `${needles.length} values to look for`);
      assert.ok(needles.includes(customer.id), 'the queried customer is among them');
      const texts = spans.flatMap((span) => [
        span.name,
        ...Object.entries(span.attributes).map(([key, value]) => `${key}=${String(value)}`),
        ...span.events.flatMap((event) => [event.name, ...Object.values(event.attributes ?? {}).map(String)]),
        ...span.links.flatMap((link) => Object.values(link.attributes ?? {}).map(String)),
      ]);
      assert.ok(texts.length > 100, `${texts.length} texts scanned`);
      for (const text of texts) {
        const found = needles.find((needle) => text.includes(needle));
        assert.equal(found, undefined, `a span holds personal data: ${text}`);
      }
    });

    it("starts a new trace for a client's traceparent and links to it, so a client cannot choose our trace ids", async () => {
      const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
      const clientSpan = '00f067aa0ba902b7';
      exporter.reset();
      const answer = await overview({ traceparent: `00-${clientTrace}-${clientSpan}-00` });
      assert.equal(answer.body.errors, undefined);
      const traceId = answer.body.extensions?.traceId;
      assert.equal(typeof traceId, 'string');
      assert.notEqual(traceId, clientTrace);
      await until(
        () =>
          exporter
            .getFinishedSpans()
            .some((span) => span.kind === SpanKind.SERVER && span.attributes[TraceAttribute.SERVICE] === 'gateway'),
        'the gateway SERVER span',
      );
      const gateway = exporter
        .getFinishedSpans()
        .find((span) => span.kind === SpanKind.SERVER && span.attributes[TraceAttribute.SERVICE] === 'gateway') as ReadableSpan;
      assert.equal(gateway.spanContext().traceId, traceId);
      assert.equal(gateway.parentSpanContext, undefined);
      assert.deepEqual(
        gateway.links.map((link) => [link.context.traceId, link.context.spanId]),
        [[clientTrace, clientSpan]],
      );
      // Sampled although the client sent sampled=0: whether we record is not the client's to decide.
      assert.equal(gateway.spanContext().traceFlags & 1, 1);
    });
  });
  // After the traced requests: shutting the provider down leaves the process as if tracing had never started.
  it('is off without a provider: no extensions.traceId, no trace id on any log line, the answer whole', async () => {
    const logged = stack.logs.length;
    const response = await overview();
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    assert.equal((response.body.data?.customer as { id: string }).id, customer.id);
    assert.equal(response.body.extensions?.traceId, undefined);
    const requestId = response.headers.get('x-request-id');
    await until(() => stack.logs.slice(logged).some((line) => line.msg === 'request' && line.requestId === requestId), 'its log line');
    assert.deepEqual(
      stack.logs.slice(logged).filter((line) => 'traceId' in line || 'spanId' in line),
      [],
    );
  });
});
