// Upstream transport failures become coded errors and a warn line naming the provider, never the URL or its query;
// every call made is reported to the optional observer by provider id and outcome.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { FinGraphError } from '../../../lib/errors/index.js';
import { UpstreamClient, type UpstreamObservation } from '../../../lib/http/upstreamClient.js';
import { createLogger } from '../../../lib/logging/logger.js';

interface LogLine {
  level: string;
  msg: string;
  provider?: string;
  method?: string;
  failure?: string;
}

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('test', { destination }) };
}

async function codeOf(call: Promise<unknown>): Promise<unknown> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
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
    assert.deepEqual(
      logged.map(({ level, provider, method, failure }) => ({ level, provider, method, failure })),
      [{ level: 'warn', provider: 'northwind', method: 'GET', failure: 'timeout' }],
    );
    const text = lines.join('');
    for (const leak of ['127.0.0.1', 'acc_secret_42', 'cus_secret_4711', 'key_secret_0815'])
      assert.ok(!text.includes(leak), `${leak} in ${text}`);
  });

  it('logs a refused connection at warn as unreachable, and throws UPSTREAM_UNAVAILABLE', async () => {
    const { lines, logger } = capture();
    const client = new UpstreamClient({ provider: 'directory', baseUrl: closedUrl, timeoutMs: 2000, dispatcher, logger });
    assert.equal(await codeOf(client.get({ path: '/customers', query: secretQuery })), 'UPSTREAM_UNAVAILABLE');
    const logged = lines.map((line) => JSON.parse(line) as LogLine);
    assert.deepEqual(
      logged.map(({ level, provider, method, failure }) => ({ level, provider, method, failure })),
      [{ level: 'warn', provider: 'directory', method: 'GET', failure: 'unreachable' }],
    );
    const text = lines.join('');
    for (const leak of ['127.0.0.1', 'cus_secret_4711', 'key_secret_0815']) assert.ok(!text.includes(leak), `${leak} in ${text}`);
  });
});

describe('upstream client writes', () => {
  // Records what arrives and answers as the path says: a Stripe-like refusal, a 201 with only a Location, or silence.
  const seen: Array<{ method: string; url: string; headers: Record<string, unknown>; body: string }> = [];
  let server: Server;
  let baseUrl: string;
  const dispatcher = new Agent({ keepAliveTimeout: 10 });

  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        });
        if (request.url === '/v1/refused') {
          response.writeHead(400, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
          response.end(JSON.stringify({ error: { type: 'idempotency_error' } }));
        } else if (request.url === '/v1/created') {
          response.writeHead(201, { location: '/v1/created/1' });
          response.end();
        }
        // Any other path is never answered, so the deadline ends the call.
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dispatcher.close();
  });

  it('POSTs a form with its Idempotency-Key and hands back a refusal with its status, headers and JSON', async () => {
    seen.length = 0;
    const client = new UpstreamClient({ provider: 'processor', baseUrl, timeoutMs: 2000, dispatcher });
    const answer = await client.postJson({ path: 'refused', idempotencyKey: 'idem-1' }, { form: { amount: '1250', 'metadata[k]': 'v' } });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers['idempotent-replayed'], 'true');
    assert.deepEqual(answer.json, { error: { type: 'idempotency_error' } });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.method, 'POST');
    assert.equal(seen[0]?.headers['idempotency-key'], 'idem-1');
    assert.equal(seen[0]?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(seen[0]?.body)), { amount: '1250', 'metadata[k]': 'v' });
  });

  it('POSTs JSON under a vendor media type, and an empty 201 answers with its Location and no JSON', async () => {
    seen.length = 0;
    const client = new UpstreamClient({ provider: 'transfers', baseUrl, timeoutMs: 2000, dispatcher });
    const answer = await client.postJson(
      { path: 'created' },
      { json: { amount: { value: '1.00' } }, contentType: 'application/vnd.dwolla.v1.hal+json' },
    );
    assert.equal(answer.status, 201);
    assert.equal(answer.headers.location, '/v1/created/1');
    assert.equal(answer.json, undefined);
    assert.equal(seen[0]?.headers['content-type'], 'application/vnd.dwolla.v1.hal+json');
    assert.equal(seen[0]?.headers['idempotency-key'], undefined);
    assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), { amount: { value: '1.00' } });
  });

  it('sends a POST that times out once, and logs neither its URL nor its body', async () => {
    seen.length = 0;
    const { lines, logger } = capture();
    // Long enough for the request to reach the silent server on a loaded machine: the test counts it arriving.
    const client = new UpstreamClient({ provider: 'processor', baseUrl, timeoutMs: 1000, dispatcher, logger });
    const call = client.postJson({ path: 'payments/acc_secret_42', idempotencyKey: 'idem-2' }, { form: { name: 'Olivia Secret' } });
    assert.equal(await codeOf(call), 'UPSTREAM_TIMEOUT');
    assert.equal(seen.length, 1);
    const logged = lines.map((line) => JSON.parse(line) as LogLine);
    assert.deepEqual(
      logged.map(({ level, provider, method, failure }) => ({ level, provider, method, failure })),
      [{ level: 'warn', provider: 'processor', method: 'POST', failure: 'timeout' }],
    );
    const text = lines.join('');
    for (const leak of ['127.0.0.1', 'acc_secret_42', 'Olivia', 'idem-2']) assert.ok(!text.includes(leak), `${leak} in ${text}`);
  });
});

describe('upstream client observer', () => {
  // Answers with the status its path names (/status/503), or never (/silent), so each outcome is made on purpose.
  let server: Server;
  let baseUrl: string;
  const dispatcher = new Agent({ keepAliveTimeout: 10 });

  before(async () => {
    server = createServer((request, response) => {
      const status = /^\/v1\/status\/(\d{3})$/.exec(request.url ?? '')?.[1];
      if (status) response.writeHead(Number(status), { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dispatcher.close();
  });

  it('tells it of every call with the provider id, the status class or failure, and a duration; never the URL', async () => {
    const seen: UpstreamObservation[] = [];
    const client = new UpstreamClient({ provider: 'northwind', baseUrl, timeoutMs: 100, dispatcher, observe: (call) => seen.push(call) });
    await client.get({ path: '/status/200' });
    await client.get({ path: '/status/302' });
    await client.post({ path: '/status/404' }, { json: {} });
    await client.get({ path: '/status/503' });
    await assert.rejects(client.get({ path: '/silent' }), FinGraphError);
    assert.deepEqual(
      seen.map(({ provider, outcome }) => ({ provider, outcome })),
      ['2xx', '3xx', '4xx', '5xx', 'timeout'].map((outcome) => ({ provider: 'northwind', outcome })),
    );
    for (const call of seen) assert.ok(call.durationSeconds >= 0 && call.durationSeconds < 5, String(call.durationSeconds));
    assert.ok((seen[4]?.durationSeconds ?? 0) >= 0.09, 'the timed-out call lasted its deadline');
    assert.ok(!JSON.stringify(seen).includes('127.0.0.1'));
  });

  it('reports a refused connection as unreachable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/v1`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const seen: UpstreamObservation[] = [];
    const client = new UpstreamClient({
      provider: 'directory',
      baseUrl: closedUrl,
      timeoutMs: 2000,
      dispatcher,
      observe: (call) => seen.push(call),
    });
    await assert.rejects(client.get({ path: '/customers' }), FinGraphError);
    assert.deepEqual(
      seen.map(({ outcome }) => outcome),
      ['unreachable'],
    );
  });
});
