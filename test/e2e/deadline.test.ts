// The per-request deadline over HTTP: a subgraph sent a request whose deadline has passed makes no upstream call and
// answers UPSTREAM_TIMEOUT where one was needed; through the gateway, a slow bank is cut at the request's deadline
// (well before its own bank deadline) with the rest of the answer standing; and a subgraph that never answers is
// given up on by the gateway itself, its part UPSTREAM_TIMEOUT and the rest standing. Outcomes only, no durations.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readGatewayConfig } from '../../gateway/config.js';
import { startGateway } from '../../gateway/server.js';
import { deriveSubgraphKey, INTERNAL_TOKEN_HEADER, signInternalToken } from '../../lib/auth/internalToken.js';
import { DEADLINE_HEADER } from '../../lib/deadline/index.js';
import { createLogger } from '../../lib/logging/logger.js';
import type { RunningServer } from '../../lib/server/graphqlHttp.js';
import { contractOperation } from '../support/contract.js';
import { postGraphQL } from '../support/http.js';
import { type Stack, startStack } from '../support/stack.js';
import { principalOf, type SubgraphAlone, startSubgraphAlone } from '../support/subgraphAlone.js';
import { TEST_AUDIENCE, TEST_ISSUER, testKeys, tokenFor } from '../support/tokens.js';

interface Position {
  complete: boolean;
  byInstitution: Array<{ institution: { id: string }; status: string; total: { amount: string } | null }>;
}

describe('request deadline', () => {
  describe('a subgraph sent a request whose deadline has passed', () => {
    let alone: SubgraphAlone<'accounts'>;
    before(async () => {
      alone = await startSubgraphAlone('accounts');
    });
    after(async () => {
      await alone.close();
    });

    it('makes no upstream call and answers UPSTREAM_TIMEOUT for the fields that needed one, the rest standing', async () => {
      const calls = async () => (await fetch(`${alone.sandbox.url}/_control/calls`)).json();
      const before = JSON.stringify(await calls());
      const key = deriveSubgraphKey(testKeys.internalSecret, 'accounts');
      const response = await postGraphQL(
        alone.subgraph.url,
        '{ institutions { id } cashPosition(reportingCurrency: "USD") { complete } }',
        {
          headers: {
            [INTERNAL_TOKEN_HEADER]: signInternalToken(key, 'accounts', principalOf('cfo', 'acme'), 'req-deadline-passed'),
            [DEADLINE_HEADER]: '0',
          },
        },
      );
      assert.equal(JSON.stringify(await calls()), before, 'the sandbox saw no call');
      assert.ok((response.body.data?.institutions as unknown[]).length > 0, 'a field that needs no upstream stands');
      assert.equal(response.body.data?.cashPosition, null);
      const codes = (response.body.errors ?? []).map((error) => error.extensions?.code);
      assert.ok(codes.length > 0);
      assert.ok(
        codes.every((code) => code === 'UPSTREAM_TIMEOUT'),
        JSON.stringify(response.body.errors),
      );
      assert.ok(alone.logs.some((line) => line.msg === 'upstream call not started: request deadline passed'));
    });
  });

  describe('through the gateway', () => {
    let stack: Stack;
    let silent: Server;
    let gatewayToSilentCredit: RunningServer;
    before(async () => {
      // The stack's banks have 5 s each (BANK_TIMEOUT_MS); the request has 3 s, so a slow bank is cut by the request's.
      stack = await startStack({ env: { GATEWAY_REQUEST_TIMEOUT_MS: '3000' } });
      // A credit subgraph that accepts and never answers: only the gateway's own deadline can end the wait.
      silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
      const keyDirectory = mkdtempSync(join(tmpdir(), 'fingraph-deadline-'));
      writeFileSync(join(keyDirectory, 'jwt-public.pem'), testKeys.publicKeyPem);
      gatewayToSilentCredit = await startGateway(
        readGatewayConfig({
          NODE_ENV: 'development',
          GATEWAY_PORT: '0',
          JWT_PUBLIC_KEY_FILES: join(keyDirectory, 'jwt-public.pem'),
          JWT_ISSUER: TEST_ISSUER,
          JWT_AUDIENCE: TEST_AUDIENCE,
          INTERNAL_TOKEN_SECRET: testKeys.internalSecret.toString('base64'),
          ...Object.fromEntries(Object.entries(stack.subgraphUrls).map(([name, url]) => [`SUBGRAPH_${name.toUpperCase()}_URL`, url])),
          SUBGRAPH_CREDIT_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql`,
          GATEWAY_REQUEST_TIMEOUT_MS: '2000',
        }),
        createLogger('gateway-silent-credit', { level: 'silent' }),
      );
    });
    after(async () => {
      await gatewayToSilentCredit?.close();
      silent?.closeAllConnections();
      await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
      await stack?.control('/reset', {});
      await stack?.close();
    });

    it('a slow bank is cut at the request deadline: UPSTREAM_TIMEOUT for it, the other banks standing', async () => {
      await stack.control('/providers/lakeside', { latencyMs: 20_000 });
      const response = await stack.graphql(contractOperation('CashPosition'), {
        token: tokenFor({ role: 'cfo', tenant: 'acme' }),
        variables: { currency: 'EUR' },
      });
      await stack.control('/providers/lakeside', { latencyMs: 0 });
      const position = response.body.data?.cashPosition as Position;
      assert.equal(position.complete, false);
      const index = position.byInstitution.findIndex((entry) => entry.institution.id === 'lakeside');
      assert.ok(index >= 0);
      assert.equal(position.byInstitution[index]?.status, 'TIMEOUT');
      const error = response.body.errors?.find((entry) => entry.extensions?.code === 'UPSTREAM_TIMEOUT');
      assert.deepEqual(error?.path, ['cashPosition', 'byInstitution', index, 'total']);
      const others = position.byInstitution.filter((entry) => entry.institution.id !== 'lakeside');
      assert.ok(others.length > 0);
      for (const other of others) {
        assert.equal(other.status, 'OK');
        assert.ok(other.total, `${other.institution.id} has its total`);
      }
    });

    it('a subgraph that never answers is given up on by the gateway: its part UPSTREAM_TIMEOUT, the rest standing', async () => {
      const token = tokenFor({ role: 'admin', tenant: 'acme' });
      const list = await stack.graphql('{ customers(first: 1) { edges { node { id } } } }', { token });
      const id = (list.body.data?.customers as { edges: Array<{ node: { id: string } }> }).edges[0]?.node.id;
      assert.ok(id);
      const response = await postGraphQL(
        gatewayToSilentCredit.url,
        'query ($id: ID!) { customer(id: $id) { id displayName creditScore { score } } }',
        {
          token,
          variables: { id },
        },
      );
      const customer = response.body.data?.customer as { id: string; displayName: string; creditScore: unknown };
      assert.equal(customer.id, id);
      assert.ok(customer.displayName, 'the identity part stands');
      assert.equal(customer.creditScore, null);
      const error = response.body.errors?.find((entry) => entry.extensions?.code === 'UPSTREAM_TIMEOUT');
      assert.ok(error, JSON.stringify(response.body.errors));
      assert.equal(error.extensions?.provider, 'credit');
    });
  });
});
