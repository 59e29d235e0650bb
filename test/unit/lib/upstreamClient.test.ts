// Upstream transport failures become coded errors and a warn line naming the provider, never the URL or its query.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { FinGraphError } from '../../../lib/errors/index.js';
import { UpstreamClient } from '../../../lib/http/upstreamClient.js';
import { createLogger } from '../../../lib/logging/logger.js';

interface LogLine { level: string; msg: string; provider?: string; method?: string; failure?: string }

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _e, done) { lines.push(chunk.toString()); done(); } });
  return { lines, logger: createLogger('test', { destination }) };
}

async function codeOf(call: Promise<unknown>): Promise<unknown> {
  const error = await call.then(() => undefined, (reason: unknown) => reason);
  assert.ok(error instanceof FinGraphError, `expected a FinGraphError, got ${String(error)}`);
  return error.extensions.code;
}

describe('upstream client transport failures', () => {
  // A server that accepts and never answers, so the deadline is what ends the call.
  let silent: Server;
  let silentUrl: string;
  // A port that was free a moment ago, so connecting is refused.
  let closedUrl: string;
  const dispatcher = new Agent({ keepAliveTimeout: 10 });

  before(async () => {
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`;
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/v1`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  after(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await dispatcher.close();
  });

  const secretQuery = { customer_id: 'cus_secret_4711', api_key: 'key_secret_0815' };

  it('logs a timeout at warn with provider and method, and throws UPSTREAM_TIMEOUT', async () => {
    const { lines, logger } = capture();
    const client = new UpstreamClient({ provider: 'northwind', baseUrl: silentUrl, timeoutMs: 50, dispatcher, logger });
    assert.equal(await codeOf(client.get({ path: '/accounts/acc_secret_42', query: secretQuery })), 'UPSTREAM_TIMEOUT');
    const logged = lines.map((line) => JSON.parse(line) as LogLine);
    assert.deepEqual(logged.map(({ level, provider, method, failure }) => ({ level, provider, method, failure })),
      [{ level: 'warn', provider: 'northwind', method: 'GET', failure: 'timeout' }]);
    const text = lines.join('');
    for (const leak of ['127.0.0.1', 'acc_secret_42', 'cus_secret_4711', 'key_secret_0815']) assert.ok(!text.includes(leak), `${leak} in ${text}`);
  });

  it('logs a refused connection at warn as unreachable, and throws UPSTREAM_UNAVAILABLE', async () => {
    const { lines, logger } = capture();
    const client = new UpstreamClient({ provider: 'directory', baseUrl: closedUrl, timeoutMs: 2000, dispatcher, logger });
    assert.equal(await codeOf(client.get({ path: '/customers', query: secretQuery })), 'UPSTREAM_UNAVAILABLE');
    const logged = lines.map((line) => JSON.parse(line) as LogLine);
    assert.deepEqual(logged.map(({ level, provider, method, failure }) => ({ level, provider, method, failure })),
      [{ level: 'warn', provider: 'directory', method: 'GET', failure: 'unreachable' }]);
    const text = lines.join('');
    for (const leak of ['127.0.0.1', 'cus_secret_4711', 'key_secret_0815']) assert.ok(!text.includes(leak), `${leak} in ${text}`);
  });
});
