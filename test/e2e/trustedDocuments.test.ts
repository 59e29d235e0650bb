// Trusted documents through the gateway over HTTP, in each mode, with automatic persisted queries on a real Redis:
// `log` (the stack's gateway) runs anything and logs an unknown document's hash, never its text; `off` runs anything;
// `trusted-only` runs only the manifest's operations, by hash, documentId or exact text, and never reads or writes the
// APQ registry, so a hash registered through another gateway on the same Redis does not make its document trusted.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { readGatewayConfig } from '../../gateway/config.js';
import { readmeQueries } from '../../gateway/plugins/trustedDocuments/build.js';
import { sha256Hex } from '../../gateway/plugins/trustedDocuments/manifest.js';
import { startGateway } from '../../gateway/server.js';
import { fromRoot } from '../../lib/config/paths.js';
import { createLogger } from '../../lib/logging/logger.js';
import type { RunningServer } from '../../lib/server/graphqlHttp.js';
import { contractOperation } from '../support/contract.js';
import { RedisHarness } from '../support/redis.js';
import { type Stack, startStack } from '../support/stack.js';
import { TEST_AUDIENCE, TEST_ISSUER, testKeys, tokenFor } from '../support/tokens.js';

interface Answer {
  readonly status: number;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

/** A POST of exactly this body: the tests shape the persisted-query extension and documentId themselves. */
async function post(url: string, body: Record<string, unknown>, token: string): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

describe('trusted documents', () => {
  let redis: RedisHarness;
  let stack: Stack;
  const gateways: Record<'off' | 'trusted-only', RunningServer> = {} as Record<'off' | 'trusted-only', RunningServer>;
  const trustedOnlyLogs: string[] = [];
  const token = tokenFor({ role: 'support', tenant: 'acme' });
  const customers = contractOperation('Customers');
  // Not in the manifest; the alias is a marker that must never reach a log.
  const unknown = '{ canaryAliasNeverLogged: institutions { id name } }';

  before(async () => {
    redis = await RedisHarness.start();
    stack = await startStack({ redis, env: { TRUSTED_DOCUMENTS: 'log' } });
    const keyDirectory = mkdtempSync(join(tmpdir(), 'fingraph-trusted-'));
    writeFileSync(join(keyDirectory, 'jwt-public.pem'), testKeys.publicKeyPem);
    for (const mode of ['off', 'trusted-only'] as const) {
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          if (mode === 'trusted-only') trustedOnlyLogs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      });
      gateways[mode] = await startGateway(
        readGatewayConfig({
          NODE_ENV: 'development',
          GATEWAY_PORT: '0',
          JWT_PUBLIC_KEY_FILES: join(keyDirectory, 'jwt-public.pem'),
          JWT_ISSUER: TEST_ISSUER,
          JWT_AUDIENCE: TEST_AUDIENCE,
          INTERNAL_TOKEN_SECRET: testKeys.internalSecret.toString('base64'),
          ...Object.fromEntries(Object.entries(stack.subgraphUrls).map(([name, url]) => [`SUBGRAPH_${name.toUpperCase()}_URL`, url])),
          REDIS_URL: redis.url,
          TRUSTED_DOCUMENTS: mode,
        }),
        createLogger(`gateway-${mode}`, { level: 'info', destination }),
      );
    }
  });

  after(async () => {
    for (const gateway of Object.values(gateways)) await gateway.close();
    await stack?.close();
    await redis?.close();
  });

  it('off: any document runs', async () => {
    const answer = await post(gateways.off.url, { query: unknown }, token);
    assert.equal(answer.status, 200);
    assert.ok(Array.isArray(answer.body.data?.canaryAliasNeverLogged), JSON.stringify(answer.body));
  });

  it('log: an unknown document runs, and is logged by its hash, never its text', async () => {
    const answer = await post(stack.gatewayUrl, { query: unknown }, token);
    assert.ok(Array.isArray(answer.body.data?.canaryAliasNeverLogged), JSON.stringify(answer.body));
    const line = stack.logs.find((entry) => entry.msg === 'untrusted document' && entry.documentHash === sha256Hex(unknown));
    assert.ok(line, 'a log line names the unknown document by its hash');
    assert.ok(!stack.rawLogs.some((raw) => raw.includes('canaryAliasNeverLogged')), 'the text of the document is never logged');
    // A manifest operation is not reported.
    await post(stack.gatewayUrl, { query: customers, variables: { first: 2 } }, token);
    assert.ok(!stack.logs.some((entry) => entry.msg === 'untrusted document' && entry.documentHash === sha256Hex(customers)));
  });

  it('log: automatic persisted queries register a new hash on Redis and run it by hash', async () => {
    const hash = sha256Hex(unknown);
    assert.equal(codeOf(await post(stack.gatewayUrl, { extensions: persisted(hash) }, token)), 'PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(stack.gatewayUrl, { query: unknown, extensions: persisted(hash) }, token);
    assert.ok(Array.isArray(registered.body.data?.canaryAliasNeverLogged), JSON.stringify(registered.body));
    const byHash = await post(stack.gatewayUrl, { extensions: persisted(hash) }, token);
    assert.ok(Array.isArray(byHash.body.data?.canaryAliasNeverLogged), JSON.stringify(byHash.body));
  });

  it('trusted-only: a manifest operation runs by its hash, by documentId and by its full text', async () => {
    const variables = { first: 2 };
    const hash = sha256Hex(customers);
    for (const body of [
      { extensions: persisted(hash), variables },
      { documentId: `sha256:${hash}`, variables },
      { query: customers, variables },
      { query: customers, extensions: persisted(hash), variables },
    ]) {
      const answer = await post(gateways['trusted-only'].url, body, token);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body));
      const edges = (answer.body.data?.customers as { edges: unknown[] }).edges;
      assert.equal(edges.length, 2);
    }
    // A README example, sent exactly as its curl line sends it.
    const readmeCustomers = readmeQueries(readFileSync(fromRoot('README.md'), 'utf8')).find((query) => query.startsWith('{ customers('));
    assert.ok(readmeCustomers);
    const answer = await post(gateways['trusted-only'].url, { query: readmeCustomers }, token);
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body));
  });

  it('trusted-only: unknown text is FORBIDDEN (UNTRUSTED_DOCUMENT), refused before any subgraph or upstream call', async () => {
    const before = JSON.stringify(await stack.control('/calls'));
    const answer = await post(gateways['trusted-only'].url, { query: unknown }, token);
    assert.equal(answer.status, 403);
    assert.equal(answer.body.data, undefined);
    assert.equal(codeOf(answer), 'FORBIDDEN');
    assert.equal(answer.body.errors?.[0]?.extensions?.reason, 'UNTRUSTED_DOCUMENT');
    assert.equal(JSON.stringify(await stack.control('/calls')), before);
    assert.ok(trustedOnlyLogs.some((raw) => raw.includes(sha256Hex(unknown)) && raw.includes('untrusted document refused')));
    assert.ok(!trustedOnlyLogs.some((raw) => raw.includes('canaryAliasNeverLogged')));
  });

  it('trusted-only: an unknown hash is PERSISTED_QUERY_NOT_FOUND, even one registered on the shared Redis in log mode', async () => {
    const neverSeen = sha256Hex('{ institutions { id } }');
    assert.equal(
      codeOf(await post(gateways['trusted-only'].url, { extensions: persisted(neverSeen) }, token)),
      'PERSISTED_QUERY_NOT_FOUND',
    );
    assert.equal(codeOf(await post(gateways['trusted-only'].url, { documentId: neverSeen }, token)), 'PERSISTED_QUERY_NOT_FOUND');
    // Registered through the log-mode gateway on the same Redis (the test above), runnable there by hash, not here.
    const registered = sha256Hex(unknown);
    assert.ok(
      Array.isArray((await post(stack.gatewayUrl, { extensions: persisted(registered) }, token)).body.data?.canaryAliasNeverLogged),
    );
    assert.equal(
      codeOf(await post(gateways['trusted-only'].url, { extensions: persisted(registered) }, token)),
      'PERSISTED_QUERY_NOT_FOUND',
    );
  });

  it('trusted-only: registering a new hash is refused, and the hash stays unknown', async () => {
    const text = '{ registrationAttempt: institutions { id } }';
    const hash = sha256Hex(text);
    const answer = await post(gateways['trusted-only'].url, { query: text, extensions: persisted(hash) }, token);
    assert.equal(answer.status, 403);
    assert.equal(answer.body.errors?.[0]?.extensions?.reason, 'UNTRUSTED_DOCUMENT');
    assert.equal(codeOf(await post(gateways['trusted-only'].url, { extensions: persisted(hash) }, token)), 'PERSISTED_QUERY_NOT_FOUND');
    // Nor did it reach the shared registry: the log-mode gateway does not know it either.
    assert.equal(codeOf(await post(stack.gatewayUrl, { extensions: persisted(hash) }, token)), 'PERSISTED_QUERY_NOT_FOUND');
  });
});
