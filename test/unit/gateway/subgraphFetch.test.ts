// The gateway's subgraph fetches report to the subgraph-fetch histogram: an answer used is `ok`, a failed status is
// `error`, and a fetch the request's deadline cut is `timeout`, each named by its subgraph (never its URL).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from '../../../gateway/context.js';
import { createSubgraphDataSource } from '../../../gateway/subgraphFetch.js';
import { runWithDeadline } from '../../../lib/deadline/index.js';
import type { FetchObservation } from '../../../lib/metrics/index.js';

describe('subgraph fetch observer', () => {
  // Answers as the path says: a GraphQL result, a 500, or nothing at all (the deadline ends the fetch).
  let server: Server;
  let baseUrl = '';
  const secret = Buffer.alloc(32, 7);

  before(async () => {
    server = createServer((request, response) => {
      if (request.url === '/ok') response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"x":1}}');
      if (request.url === '/fail') response.writeHead(500, { 'content-type': 'text/plain' }).end('down');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  // A fetch outside any client request (no principal): the data source sends it without an internal token. The kind's
  // enum is not exported by @apollo/gateway's entry point, so its value is written as the package defines it.
  const healthCheck = {
    kind: 'health check',
    request: { query: '{ x }' },
    context: {},
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
  const fetchFrom = (path: string, seen: FetchObservation[]) =>
    createSubgraphDataSource('accounts', `${baseUrl}${path}`, secret, (fetch) => seen.push(fetch)).process(healthCheck);

  it('reports an answer used as ok, a failed status as error, by subgraph name', async () => {
    const seen: FetchObservation[] = [];
    const answer = await fetchFrom('/ok', seen);
    assert.deepEqual(answer.data, { x: 1 });
    await assert.rejects(fetchFrom('/fail', seen));
    assert.deepEqual(
      seen.map(({ subgraph, outcome }) => ({ subgraph, outcome })),
      [
        { subgraph: 'accounts', outcome: 'ok' },
        { subgraph: 'accounts', outcome: 'error' },
      ],
    );
    for (const fetch of seen) assert.ok(fetch.durationSeconds >= 0 && fetch.durationSeconds < 5);
  });

  it('reports a fetch cut by the request deadline as timeout, with the time it waited', async () => {
    const seen: FetchObservation[] = [];
    await assert.rejects(
      runWithDeadline(Date.now() + 200, () => fetchFrom('/silent', seen)),
      { extensions: { code: 'UPSTREAM_TIMEOUT', provider: 'accounts' } },
    );
    assert.deepEqual(
      seen.map(({ outcome }) => outcome),
      ['timeout'],
    );
    assert.ok((seen[0]?.durationSeconds ?? 0) >= 0.15, String(seen[0]?.durationSeconds));
  });
});
