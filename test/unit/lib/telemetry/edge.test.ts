// The HTTP edge with tracing on (an in-memory exporter in this process): each /graphql request is one SERVER span that
// is active for all of the request's work, its trace id reaches the context builder as RequestFacts.traceId (for audit
// records) and the request's log line; probes are not traced; a refused request's span carries its status.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ApolloServer } from '@apollo/server';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { formatError, unauthenticated } from '../../../../lib/errors/index.js';
import { createLogger } from '../../../../lib/logging/logger.js';
import { type RequestFacts, type RunningServer, startGraphQLHttpServer } from '../../../../lib/server/graphqlHttp.js';
import { activeTraceId, startTracing, TraceAttribute, type Tracing } from '../../../../lib/telemetry/index.js';

describe('the HTTP edge, traced', () => {
  const exporter = new InMemorySpanExporter();
  const lines: Array<Record<string, unknown>> = [];
  const facts: RequestFacts[] = [];
  const seenInResolver: Array<string | undefined> = [];
  let tracing: Tracing;
  let server: RunningServer;

  before(async () => {
    tracing = startTracing({ service: 'unit', exporter });
    const apollo = new ApolloServer({
      typeDefs: 'type Query { hello: String! }',
      resolvers: {
        Query: {
          hello: async () => {
            await Promise.resolve();
            seenInResolver.push(activeTraceId());
            return 'hi';
          },
        },
      },
      formatError,
    });
    server = await startGraphQLHttpServer({
      apollo,
      service: 'accounts',
      incomingTraceContext: 'join',
      logger: createLogger('unit', {
        destination: new Writable({
          write(chunk: Buffer, _encoding, done) {
            lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
            done();
          },
        }),
      }),
      host: '127.0.0.1',
      port: 0,
      admit: (request) => {
        if (request.headers.authorization !== 'ok') throw unauthenticated();
      },
      context: async (_request, given) => {
        facts.push(given);
        return {};
      },
    });
  });
  after(async () => {
    await server.close();
    await tracing.shutdown();
  });

  const ended = async (count: number) => {
    for (let attempt = 0; attempt < 2000 && exporter.getFinishedSpans().length < count; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return exporter.getFinishedSpans();
  };

  it("hands the SERVER span's trace id to the context, the resolvers and the request's log line", async () => {
    exporter.reset();
    const answer = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'ok' },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    assert.equal(answer.status, 200);
    const [span] = await ended(1);
    assert.ok(span);
    assert.equal(span.kind, SpanKind.SERVER);
    assert.equal(span.attributes[TraceAttribute.SERVICE], 'accounts');
    const traceId = span.spanContext().traceId;
    assert.equal(facts.at(-1)?.traceId, traceId);
    assert.equal(seenInResolver.at(-1), traceId);
    const line = lines.find((entry) => entry.msg === 'request' && entry.requestId === answer.headers.get('x-request-id'));
    assert.equal(line?.traceId, traceId);
    assert.equal(line?.spanId, span.spanContext().spanId);
  });

  it("records a refusal's status, and traces no probe", async () => {
    exporter.reset();
    assert.equal((await fetch(server.url.replace('/graphql', '/healthz'))).status, 200);
    assert.equal((await fetch(server.url.replace('/graphql', '/readyz'))).status, 200);
    const refused = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(refused.status, 401);
    const spans = await ended(1);
    assert.deepEqual(
      spans.map((span) => [span.name, span.attributes['http.response.status_code']]),
      [['POST /graphql', 401]],
    );
  });
});
