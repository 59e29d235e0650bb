// An unplanned error reaches the client masked and the log in full, under the request id; a planned one is logged by
// its code alone.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ApolloServer } from '@apollo/server';
import { badUserInput, formatError } from '../../../lib/errors/index.js';
import { createLogger } from '../../../lib/logging/logger.js';
import { createErrorLoggingPlugin, type ErrorLoggingContext } from '../../../lib/server/errorLogging.js';
import { type RunningServer, startGraphQLHttpServer } from '../../../lib/server/graphqlHttp.js';

interface LogLine {
  level: string;
  msg: string;
  requestId?: string;
  path?: Array<string | number>;
  error?: { name: string; message: string; stack?: string };
  errors?: Array<{ code: string; path: Array<string | number> }>;
}

interface GraphQLBody {
  data?: unknown;
  errors?: Array<{ message: string; extensions: { code: string } }>;
}

describe('error logging plugin', () => {
  const lines: string[] = [];
  let server: RunningServer;

  before(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('test', { destination });
    const apollo = new ApolloServer<ErrorLoggingContext>({
      typeDefs: 'type Query { failing: String refused(currency: String): String }',
      resolvers: {
        Query: {
          failing: () => {
            throw new Error('boom at 10.1.2.3');
          },
          refused: () => {
            throw badUserInput('Unknown currency "QQQ"', { argument: 'currency' });
          },
        },
      },
      formatError,
      includeStacktraceInErrorResponses: false,
      plugins: [createErrorLoggingPlugin(logger)],
    });
    server = await startGraphQLHttpServer<ErrorLoggingContext>({
      apollo,
      logger,
      host: '127.0.0.1',
      port: 0,
      context: async (_request, facts) => ({ requestId: facts.requestId }),
    });
  });

  after(async () => {
    await server.close();
  });

  async function post(query: string, requestId: string): Promise<{ text: string; body: GraphQLBody; logged: LogLine[] }> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ query }),
    });
    const text = await response.text();
    const logged = lines.map((line) => JSON.parse(line) as LogLine).filter((line) => line.requestId === requestId);
    return { text, body: JSON.parse(text) as GraphQLBody, logged };
  }

  it('masks an unplanned error in the response and logs its message and stack under the request id', async () => {
    const requestId = 'req-unplanned-0001';
    const { text, body, logged } = await post('{ failing }', requestId);

    assert.deepEqual(
      body.errors?.map((error) => error.message),
      ['Internal server error'],
    );
    assert.equal(body.errors?.[0]?.extensions.code, 'INTERNAL_SERVER_ERROR');
    for (const leak of ['boom', '10.1.2.3', 'stack', 'at ']) assert.ok(!text.includes(leak), `${leak} in ${text}`);

    const errorLines = logged.filter((line) => line.level === 'error');
    assert.equal(errorLines.length, 1, JSON.stringify(logged));
    const [line] = errorLines;
    assert.equal(line?.requestId, requestId);
    assert.equal(line?.error?.name, 'Error');
    assert.equal(line?.error?.message, 'boom at 10.1.2.3');
    assert.match(line?.error?.stack ?? '', /boom at 10\.1\.2\.3\n\s+at /);
    assert.deepEqual(line?.path, ['failing']);
  });

  it('logs a planned error at info by code and path, without its message', async () => {
    const requestId = 'req-planned-0001';
    const { body, logged } = await post('{ refused(currency: "QQQ") }', requestId);

    assert.equal(body.errors?.[0]?.extensions.code, 'BAD_USER_INPUT');
    assert.equal(logged.filter((line) => line.level === 'error').length, 0);
    const planned = logged.filter((line) => line.msg === 'planned errors');
    assert.equal(planned.length, 1, JSON.stringify(logged));
    assert.equal(planned[0]?.level, 'info');
    assert.deepEqual(planned[0]?.errors, [{ code: 'BAD_USER_INPUT', path: ['refused'] }]);
    assert.ok(!JSON.stringify(planned[0]).includes('QQQ'), 'the message stays out of the log line');
  });
});
