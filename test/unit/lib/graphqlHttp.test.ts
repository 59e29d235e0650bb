// The shared HTTP edge: a stop lets in-flight requests finish, then refuses new connections; health reflects it.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { ApolloServer } from '@apollo/server';
import { formatError } from '../../../lib/errors/index.js';
import { createLogger } from '../../../lib/logging/logger.js';
import { startGraphQLHttpServer } from '../../../lib/server/graphqlHttp.js';

describe('graphql http edge', () => {
  it('finishes in-flight requests on stop, then closes', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let entered: () => void = () => undefined;
    const started = new Promise<void>((resolve) => { entered = resolve; });
    const apollo = new ApolloServer({
      typeDefs: 'type Query { slow: String! boom: String }',
      resolvers: { Query: {
        slow: async () => { entered(); await gate; return 'done'; },
        boom: () => { throw new Error('ECONNREFUSED http://10.0.0.1:8080/internal'); },
      } },
      formatError,
    });
    const logger = createLogger('test', { destination: new Writable({ write(_c, _e, done) { done(); } }) });
    const server = await startGraphQLHttpServer({ apollo, logger, host: '127.0.0.1', port: 0, context: async () => ({}) });
    const post = (query: string) => fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });

    const masked = (await (await post('{ boom }')).json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(masked.errors[0]?.message, 'Internal server error', 'an unplanned error is masked');
    assert.equal(masked.errors[0]?.extensions.code, 'INTERNAL_SERVER_ERROR');

    const inFlight = post('{ slow }');
    await started;
    const stopped = server.close();
    const health = await fetch(server.url.replace('/graphql', '/healthz')).then((response) => response.status, () => 'refused');
    assert.ok(health === 503 || health === 'refused', `health while stopping: ${health}`);
    release();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { data: { slow: 'done' } });
    await stopped;
    await assert.rejects(post('{ slow }'));
  });
});
