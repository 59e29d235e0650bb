// Issue 11 item 6: a request the HTTP edge refuses early (413, malformed JSON, 401 before the body is read) never
// breaks the client's keep-alive connection. Every sequence runs over ONE undici Agent with a single connection, the
// way a client's pool reuses it: the refused request, then two small ones, then ten more, each answer's status checked.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ApolloServer } from '@apollo/server';
import { Agent, fetch } from 'undici';
import { formatError, unauthenticated } from '../../../lib/errors/index.js';
import { createLogger } from '../../../lib/logging/logger.js';
import { type RunningServer, startGraphQLHttpServer } from '../../../lib/server/graphqlHttp.js';

const SMALL = JSON.stringify({ query: '{ hello }' });
const AUTHORIZED = { 'content-type': 'application/json', authorization: 'Bearer ok' };

describe('a refused request keeps the connection usable', () => {
  let server: RunningServer;
  let tight: RunningServer;
  const connections = new Map<RunningServer, number>();

  const start = async (limits: { maxBodyBytes?: number; maxDiscardBytes?: number }) => {
    const apollo = new ApolloServer({
      typeDefs: 'type Query { hello: String! }',
      resolvers: { Query: { hello: () => 'hi' } },
      formatError,
    });
    const logger = createLogger('test', {
      destination: new Writable({
        write(_c, _e, done) {
          done();
        },
      }),
    });
    const running = await startGraphQLHttpServer({
      apollo,
      logger,
      host: '127.0.0.1',
      port: 0,
      context: async () => ({}),
      ...limits,
      // Refuses from the headers alone, before the body is read, as the gateway does for a request without a token.
      admit(request) {
        if (request.headers.authorization !== 'Bearer ok') throw unauthenticated();
      },
    });
    connections.set(running, 0);
    running.server.on('connection', () => connections.set(running, (connections.get(running) ?? 0) + 1));
    return running;
  };

  before(async () => {
    server = await start({ maxBodyBytes: 64 * 1024, maxDiscardBytes: 4 * 1024 * 1024 });
    // A discard limit below the oversize body: the edge must close the connection, cleanly, instead.
    tight = await start({ maxBodyBytes: 16 * 1024, maxDiscardBytes: 32 * 1024 });
  });
  after(async () => {
    await server.close();
    await tight.close();
  });

  /** The refused request, then 2 + 10 small ones, all through one single-connection agent. */
  const sequence = async (
    target: RunningServer,
    refused: { headers: Record<string, string>; body: string | AsyncIterable<Uint8Array> },
  ) => {
    const agent = new Agent({ connections: 1, pipelining: 1 });
    try {
      const first = await fetch(target.url, {
        method: 'POST',
        headers: refused.headers,
        body: refused.body,
        dispatcher: agent,
        duplex: 'half',
      });
      const firstBody = await first.text();
      const statuses: number[] = [];
      for (let index = 0; index < 12; index += 1) {
        const response = await fetch(target.url, { method: 'POST', headers: AUTHORIZED, body: SMALL, dispatcher: agent });
        assert.deepEqual(await response.json(), { data: { hello: 'hi' } });
        statuses.push(response.status);
      }
      return { status: first.status, connection: first.headers.get('connection'), body: firstBody, statuses };
    } finally {
      await agent.close();
    }
  };
  const twelveOk = Array.from({ length: 12 }, () => 200);

  it('answers 413 to an oversize body, and the same connection serves the next twelve requests', async () => {
    const before = connections.get(server);
    const result = await sequence(server, { headers: AUTHORIZED, body: 'x'.repeat(1024 * 1024) });
    assert.equal(result.status, 413);
    assert.match(result.body, /BAD_USER_INPUT/);
    assert.deepEqual(result.statuses, twelveOk);
    assert.equal((connections.get(server) ?? 0) - (before ?? 0), 1, 'the body was discarded and the connection kept');
  });

  it('does the same for an oversize body sent in chunks, without a Content-Length', async () => {
    async function* chunks() {
      for (let index = 0; index < 16; index += 1) yield new Uint8Array(64 * 1024).fill(120);
    }
    const result = await sequence(server, { headers: AUTHORIZED, body: chunks() });
    assert.equal(result.status, 413);
    assert.deepEqual(result.statuses, twelveOk);
  });

  it('answers 400 to malformed JSON, and the connection serves the next twelve requests', async () => {
    const result = await sequence(server, { headers: AUTHORIZED, body: '{"query": "{ hello }"' });
    assert.equal(result.status, 400);
    assert.match(result.body, /not valid JSON/);
    assert.deepEqual(result.statuses, twelveOk);
  });

  it('answers 401 before reading the body, and the connection serves the next twelve requests', async () => {
    const result = await sequence(server, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ hello }', pad: 'x'.repeat(48 * 1024) }),
    });
    assert.equal(result.status, 401);
    assert.match(result.body, /UNAUTHENTICATED/);
    assert.deepEqual(result.statuses, twelveOk);
  });

  it('refuses an unauthenticated body larger than the body limit with 401, not 413: the body is never parsed', async () => {
    const result = await sequence(server, { headers: { 'content-type': 'application/json' }, body: 'x'.repeat(512 * 1024) });
    assert.equal(result.status, 401);
    assert.deepEqual(result.statuses, twelveOk);
  });

  it('past the discard limit, answers 413 with Connection: close and closes cleanly; the client carries on', async () => {
    const before = connections.get(tight);
    const result = await sequence(tight, { headers: AUTHORIZED, body: 'x'.repeat(1024 * 1024) });
    assert.equal(result.status, 413);
    assert.equal(result.connection, 'close');
    assert.deepEqual(result.statuses, twelveOk);
    // How many connections undici opens after one closed is its own affair; what counts is that none was reset.
    assert.ok((connections.get(tight) ?? 0) - (before ?? 0) >= 2, 'the refused connection was closed');
  });

  it('past the discard limit in chunks, closes the connection the same way', async () => {
    async function* chunks() {
      for (let index = 0; index < 16; index += 1) yield new Uint8Array(16 * 1024).fill(120);
    }
    const result = await sequence(tight, { headers: AUTHORIZED, body: chunks() });
    assert.equal(result.status, 413);
    assert.equal(result.connection, 'close');
    assert.deepEqual(result.statuses, twelveOk);
  });
});
