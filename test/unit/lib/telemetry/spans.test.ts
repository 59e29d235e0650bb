// The spans FinGraph makes at its own edges, with an in-memory exporter registered for this process: the edge joins a
// caller's trace or only links to it, log lines carry the active span's ids (and nothing when none is active), an
// upstream call is a CLIENT span without its URL and sends `traceparent`, a cache read names its outcome and not its
// key, and a traced store times its listed methods only.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { Cache } from '../../../../lib/cache/cache.js';
import { MemoryStore } from '../../../../lib/cache/memoryStore.js';
import { UpstreamClient } from '../../../../lib/http/upstreamClient.js';
import { createLogger } from '../../../../lib/logging/logger.js';
import {
  activeTraceId,
  inSpan,
  NO_TRACE_FIELDS,
  recordedTraceId,
  startEdgeSpan,
  startTracing,
  TraceAttribute,
  type Tracing,
  traceLogFields,
} from '../../../../lib/telemetry/index.js';
import { traceStore } from '../../../../lib/telemetry/store.js';

const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpan = '00f067aa0ba902b7';
const traceparent = `00-${callerTrace}-${callerSpan}-01`;

describe('telemetry spans', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  before(() => {
    tracing = startTracing({ service: 'unit', exporter });
  });
  after(async () => {
    await tracing.shutdown();
  });
  beforeEach(() => exporter.reset());

  it('refuses a second provider in one process', () => {
    assert.throws(() => startTracing({ service: 'again', exporter }), /already started/);
  });

  it("joins a caller's trace when told to, and otherwise starts its own and links to the caller's", () => {
    const request = { service: 'accounts', method: 'POST', route: '/graphql', headers: { traceparent } };
    const joined = startEdgeSpan({ ...request, incoming: 'join' });
    const linked = startEdgeSpan({ ...request, incoming: 'link' });
    assert.equal(joined.traceId, callerTrace);
    assert.ok(linked.traceId && linked.traceId !== callerTrace);
    joined.end(200);
    linked.end(503);
    const [join, link] = exporter.getFinishedSpans();
    assert.ok(join && link);
    assert.equal(join.parentSpanContext?.spanId, callerSpan);
    assert.equal(join.kind, SpanKind.SERVER);
    assert.equal(join.name, 'POST /graphql');
    assert.deepEqual(join.attributes, {
      [TraceAttribute.SERVICE]: 'accounts',
      'http.request.method': 'POST',
      'http.route': '/graphql',
      'http.response.status_code': 200,
    });
    assert.equal(link.parentSpanContext, undefined);
    assert.deepEqual(
      link.links.map((entry) => entry.context.spanId),
      [callerSpan],
    );
    assert.equal(link.status.code, SpanStatusCode.ERROR, 'a 5xx answer is an error');
    assert.equal(join.status.code, SpanStatusCode.UNSET);
  });

  it('tells a client only a recorded trace id; an unsampled request keeps its id for logs and audit', () => {
    const request = { service: 'accounts', method: 'POST', route: '/graphql', incoming: 'join' as const };
    const unsampled = startEdgeSpan({ ...request, headers: { traceparent: `00-${callerTrace}-${callerSpan}-00` } });
    const sampled = startEdgeSpan({ ...request, headers: { traceparent } });
    unsampled.within(() => {
      assert.equal(activeTraceId(), callerTrace);
      assert.equal(recordedTraceId(), undefined);
    });
    sampled.within(() => assert.equal(recordedTraceId(), callerTrace));
    assert.equal(unsampled.traceId, callerTrace, 'the edge hands the id on (RequestFacts.traceId) either way');
    unsampled.end(200);
    sampled.end(200);
    assert.equal(exporter.getFinishedSpans().length, 1, 'only the sampled one is exported');
  });

  it('ignores a malformed traceparent, and names no route or unknown method it was not given', () => {
    const edge = startEdgeSpan({
      service: 'gateway',
      method: 'BREW',
      route: undefined,
      headers: { traceparent: '00-zz-yy-01' },
      incoming: 'join',
    });
    edge.end(404);
    const [span] = exporter.getFinishedSpans();
    assert.ok(span);
    assert.equal(span.parentSpanContext, undefined);
    assert.equal(span.name, '_OTHER', 'a method outside HTTP’s own is not recorded as sent');
    assert.equal(span.attributes['http.request.method'], '_OTHER');
    assert.equal(span.attributes['http.route'], undefined);
  });

  it('puts the active span’s ids on every log line, and nothing (without touching the shared empty fields) outside one', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger('unit', { destination });
    logger.info({ before: true }, 'outside');
    let ids: { traceId: string; spanId: string } | undefined;
    await inSpan('work', {}, async (span) => {
      ids = { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
      logger.info('inside');
      await Promise.resolve();
      logger.child({ component: 'child' }).warn('inside, after an await');
    });
    logger.info({ after: true }, 'outside again');
    assert.ok(ids);
    assert.equal(lines.length, 4);
    assert.equal(lines[0]?.traceId, undefined);
    assert.equal(lines[3]?.traceId, undefined);
    for (const line of lines.slice(1, 3)) {
      assert.equal(line.traceId, ids.traceId);
      assert.equal(line.spanId, ids.spanId);
    }
    assert.deepEqual(Object.keys(NO_TRACE_FIELDS), [], 'no line wrote its fields into the shared object');
    assert.equal(traceLogFields(), NO_TRACE_FIELDS);
  });

  it('makes an upstream call a CLIENT span named by provider and method, without its URL, and sends traceparent', async () => {
    let received: IncomingHttpHeaders | undefined;
    const server = createServer((request, response) => {
      received = request.headers;
      response.writeHead(503, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new UpstreamClient({ provider: 'pacific', baseUrl: `http://127.0.0.1:${port}/core/pacific/v1`, timeoutMs: 2000 });
      const answer = await inSpan('resolver', {}, () => client.get({ path: '/customers/cus_123/accounts', query: { limit: 5 } }));
      assert.equal(answer.status, 503);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const call = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.CLIENT);
    assert.ok(call);
    assert.equal(call.name, 'upstream pacific GET');
    assert.deepEqual(call.attributes, {
      [TraceAttribute.UPSTREAM_PROVIDER]: 'pacific',
      'http.request.method': 'GET',
      'http.response.status_code': 503,
    });
    assert.equal(call.status.code, SpanStatusCode.ERROR);
    const { traceId, spanId } = call.spanContext();
    assert.equal(received?.traceparent, `00-${traceId}-${spanId}-01`, 'the upstream sees the call’s own span as parent');
  });

  it('names a cache read’s namespace and outcome, never its key, with the load inside the look-up', async () => {
    const cache = new Cache({ store: new MemoryStore() });
    const policy = { namespace: 'balances', version: 1, freshSeconds: 60, staleSeconds: 0, sensitive: false };
    const read = () =>
      cache.readThrough({ policy, scope: { tenant: 'acme' }, key: ['acct_secret_id'], load: () => inSpan('load', {}, async () => 7) });
    assert.equal(await read(), 7);
    assert.equal(await read(), 7);
    await cache.close();
    const spans = exporter.getFinishedSpans();
    const looks = spans.filter((span) => span.name === 'cache balances');
    assert.deepEqual(
      looks.map((span) => span.attributes[TraceAttribute.CACHE_OUTCOME]),
      ['miss', 'hit'],
    );
    const load = spans.find((span) => span.name === 'load');
    assert.equal(load?.parentSpanContext?.spanId, looks[0]?.spanContext().spanId);
    assert.ok(!JSON.stringify(spans.map((span) => span.attributes)).includes('acct_secret_id'));
  });

  it('times a store’s listed methods only, keeps its own state reachable, and marks a failed call', async () => {
    class Store {
      #calls = 0;
      async get(key: string): Promise<string> {
        this.#calls += 1;
        return `value of ${key}`;
      }
      async fail(): Promise<void> {
        throw Object.assign(new Error('down: key acct_1'), { code: 'ECONNRESET' });
      }
      calls(): number {
        return this.#calls;
      }
    }
    const store = traceStore('records', new Store(), ['get', 'fail']);
    assert.equal(await store.get('acct_1'), 'value of acct_1');
    await assert.rejects(store.fail(), /down/);
    assert.equal(store.calls(), 1, 'an unlisted method is the store’s own, bound to it');
    const spans = exporter.getFinishedSpans();
    assert.deepEqual(
      spans.map((span) => [span.name, span.kind, span.attributes[TraceAttribute.STORE], span.status.code]),
      [
        ['store records get', SpanKind.CLIENT, 'records', SpanStatusCode.UNSET],
        ['store records fail', SpanKind.CLIENT, 'records', SpanStatusCode.ERROR],
      ],
    );
    assert.equal(spans[1]?.status.message, 'ECONNRESET', 'the failure’s code');
    assert.ok(!JSON.stringify(spans.map((span) => [span.attributes, span.status])).includes('acct_1'), 'no key, no message');
  });

  it('runs work with no span active outside a request', () => {
    assert.equal(trace.getSpan(context.active()), undefined);
  });
});
