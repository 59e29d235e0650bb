// The shared HTTP edge: a stop lets in-flight requests finish, then refuses new connections; health reflects it. The
// request's log line says who asked from the context the request was given, and nothing for a refused one. The
// request-end hook hears of every /graphql request, with the edge's refusal code, its context and status, and of no
// other route.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { ApolloServer } from '@apollo/server';
import { formatError, unauthenticated } from '../../../lib/errors/index.js';
import { createLogger } from '../../../lib/logging/logger.js';
import { type RequestEnd, startGraphQLHttpServer } from '../../../lib/server/graphqlHttp.js';

describe('graphql http edge', () => {
  it('finishes in-flight requests on stop, then closes', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const apollo = new ApolloServer({
      typeDefs: 'type Query { slow: String! boom: String }',
      resolvers: {
        Query: {
          slow: async () => {
            entered();
            await gate;
            return 'done';
          },
          boom: () => {
            throw new Error('ECONNREFUSED http://10.0.0.1:8080/internal');
          },
        },
      },
      formatError,
    });
    const logger = createLogger('test', {
      destination: new Writable({
        write(_c, _e, done) {
          done();
        },
      }),
    });
    const server = await startGraphQLHttpServer({ apollo, logger, host: '127.0.0.1', port: 0, context: async () => ({}) });
    const post = (query: string) =>
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });

    const masked = (await (await post('{ boom }')).json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(masked.errors[0]?.message, 'Internal server error', 'an unplanned error is masked');
    assert.equal(masked.errors[0]?.extensions.code, 'INTERNAL_SERVER_ERROR');

    const inFlight = post('{ slow }');
    await started;
    const stopped = server.close();
    const health = await fetch(server.url.replace('/graphql', '/healthz')).then(
      (response) => response.status,
      () => 'refused',
    );
    assert.ok(health === 503 || health === 'refused', `health while stopping: ${health}`);
    release();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { data: { slow: 'done' } });
    await stopped;
    await assert.rejects(post('{ slow }'));
  });

  it('logs a client that went away in the middle of its body as 499, not as a failure, and answers nobody', async () => {
    const apollo = new ApolloServer({ typeDefs: 'type Query { hello: String }', formatError });
    const lines: Array<Record<string, unknown>> = [];
    let logged: (line: Record<string, unknown>) => void = () => undefined;
    const requestLogged = new Promise<Record<string, unknown>>((resolve) => {
      logged = resolve;
    });
    const logger = createLogger('test', {
      destination: new Writable({
        write(chunk: Buffer, _e, done) {
          for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) {
            const line = JSON.parse(text) as Record<string, unknown>;
            lines.push(line);
            if (line.msg === 'request') logged(line);
          }
          done();
        },
      }),
    });
    const server = await startGraphQLHttpServer({ apollo, logger, host: '127.0.0.1', port: 0, context: async () => ({}) });
    try {
      const socket = connect(server.port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"query":');
      // Destroyed once the server has the headers, so the request is mid-body when the client goes.
      server.server.once('request', () => socket.destroy());
      const line = await requestLogged;
      assert.equal(line.status, 499);
      assert.ok(!lines.some((entry) => entry.msg === 'request failed'), 'a client going away is not a server failure');
    } finally {
      await server.close();
    }
  });

  it('logs who asked from the context the request was given, and nobody for a request refused before it had one', async () => {
    const apollo = new ApolloServer<{ tenant: string; sub: string }>({ typeDefs: 'type Query { hello: String }', formatError });
    // Each request's log line, by request id, as soon as it is written (when the response closes, which may be just
    // after the client has its answer): awaited, never polled.
    const logged = new Map<string, (line: Record<string, unknown>) => void>();
    const lineOf = (id: string) =>
      new Promise<Record<string, unknown>>((resolve) => {
        logged.set(id, resolve);
      });
    const logger = createLogger('test', {
      destination: new Writable({
        write(chunk: Buffer, _e, done) {
          for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) {
            const line = JSON.parse(text) as Record<string, unknown>;
            if (line.msg === 'request') logged.get(String(line.requestId))?.(line);
          }
          done();
        },
      }),
    });
    const server = await startGraphQLHttpServer({
      apollo,
      logger,
      host: '127.0.0.1',
      port: 0,
      async context(request) {
        if (request.headers['x-refuse'] === 'yes') throw unauthenticated();
        return { tenant: 'acme', sub: 'staff_1' };
      },
      logFields: (context) => ({ tenant: context.tenant, sub: context.sub }),
    });
    try {
      const post = (id: string, headers: Record<string, string> = {}) =>
        fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': id, ...headers },
          body: '{"query":"{ __typename }"}',
        }).then((response) => response.arrayBuffer());
      const answeredLine = lineOf('request-with-context');
      const refusedLine = lineOf('request-refused-0');
      await post('request-with-context');
      await post('request-refused-0', { 'x-refuse': 'yes' });
      const answered = await answeredLine;
      assert.equal(answered.tenant, 'acme');
      assert.equal(answered.sub, 'staff_1');
      const refused = await refusedLine;
      assert.equal(refused.status, 401);
      assert.equal('tenant' in refused, false);
      assert.equal('sub' in refused, false);
    } finally {
      await server.close();
    }
  });
  it('tells the request-end hook how every /graphql request ended, refusals included, and nothing else', async () => {
    const apollo = new ApolloServer<{ who: string }>({
      typeDefs: 'type Query { ok: String }',
      resolvers: { Query: { ok: () => 'yes' } },
      formatError,
    });
    const logger = createLogger('test', { level: 'silent' });
    const ends: Array<RequestEnd<{ who: string }>> = [];
    const startedAt = new Date('2026-12-06T05:00:00.000Z');
    const server = await startGraphQLHttpServer<{ who: string }>({
      apollo,
      logger,
      host: '127.0.0.1',
      port: 0,
      admit: (request) => {
        if (request.headers.authorization === undefined) throw unauthenticated();
      },
      context: async () => ({ who: 'caller' }),
      onRequestEnd: (end) => ends.push(end),
      now: () => startedAt,
    });
    try {
      const post = (headers: Record<string, string>, body: string) =>
        fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then((r) => r.text());
      await post({ 'x-request-id': 'end-refused-1' }, '{"query":"{ ok }"}');
      await post({ 'x-request-id': 'end-not-json', authorization: 'x' }, '{"query":');
      await post({ 'x-request-id': 'end-answered', authorization: 'x' }, '{"query":"{ ok }"}');
      await fetch(server.url.replace('/graphql', '/healthz')).then((r) => r.text());
      for (let attempt = 0; attempt < 100 && ends.length < 3; attempt += 1) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await server.close();
    }
    assert.deepEqual(
      ends.map((end) => [end.facts.requestId, end.refusal, end.status, end.context?.who, end.startedAt.toISOString()]),
      [
        ['end-refused-1', 'UNAUTHENTICATED', 401, undefined, startedAt.toISOString()],
        ['end-not-json', 'BAD_USER_INPUT', 400, undefined, startedAt.toISOString()],
        ['end-answered', undefined, 200, 'caller', startedAt.toISOString()],
      ],
    );
  });
});
