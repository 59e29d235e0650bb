// The request deadline's arithmetic and the upstream client's refusal: a call asked for after the request's deadline
// never reaches the upstream (a local server counts what arrives), and a subgraph never grants more than its maximum.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runWithDeadline, subgraphBudgetMs, subgraphDeadline } from '../../../lib/deadline/index.js';
import { FinGraphError } from '../../../lib/errors/index.js';
import { UpstreamClient } from '../../../lib/http/upstreamClient.js';

describe('request deadline', () => {
  let server: Server;
  let received = 0;
  let baseUrl = '';
  before(async () => {
    server = createServer((_request, response) => {
      received += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('a subgraph takes the gateway’s budget, but never past its own maximum, and its maximum without a header', () => {
    const now = 1_000_000;
    assert.equal(subgraphDeadline('1200', 30_000, now), now + 1200);
    assert.equal(subgraphDeadline('999999999', 30_000, now), now + 30_000, 'a budget past the maximum is cut to it');
    assert.equal(subgraphDeadline(undefined, 30_000, now), now + 30_000);
    assert.equal(subgraphDeadline('soon', 30_000, now), now + 30_000, 'a malformed header counts as none');
    assert.equal(subgraphDeadline('0', 30_000, now), now, 'nothing left: already passed');
    assert.equal(subgraphDeadline('-5', 30_000, now), now - 5);
  });

  it('the gateway keeps a reserve for the answer to come back (10%, at least 25 ms)', () => {
    assert.equal(subgraphBudgetMs(3000), 2700);
    assert.equal(subgraphBudgetMs(100), 75);
    assert.ok(subgraphBudgetMs(20) <= 0, 'too little left: no fetch');
  });

  it('the upstream client starts no call once the deadline has passed: UPSTREAM_TIMEOUT, nothing sent', async () => {
    const client = new UpstreamClient({ provider: 'northwind', baseUrl, timeoutMs: 2000 });
    const error = await runWithDeadline(Date.now() - 1, () => client.get({ path: '/accounts' })).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    assert.ok(error instanceof FinGraphError);
    assert.equal(error.extensions.code, 'UPSTREAM_TIMEOUT');
    assert.equal(error.extensions.provider, 'northwind');
    assert.equal(received, 0);
    // Within its deadline, and outside any request, the same client calls as before.
    await runWithDeadline(Date.now() + 60_000, () => client.get({ path: '/accounts' }));
    await client.get({ path: '/accounts' });
    assert.equal(received, 2);
  });
});
