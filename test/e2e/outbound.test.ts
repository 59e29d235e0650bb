// Nothing leaves the platform that was not asked for (issue 11 item 5). The sandbox, the four subgraphs and the
// gateway run as their own processes, each with a preload that records every outbound connection and name look-up
// (test/support/outboundRecorder.ts); every contract operation is driven through the gateway; the processes are
// stopped (a stopping gateway is when Apollo's host-metrics exporter makes its last export); then every record must
// name an address that process was configured with. And no page that loads Apollo's CDN is served.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deriveSubgraphKey, INTERNAL_TOKEN_HEADER, signInternalToken } from '../../lib/auth/internalToken.js';
import { fromRoot } from '../../lib/config/paths.js';
import { subgraphs, webhookReceivers } from '../../schema/subgraphs.js';
import { credentials } from '../support/bankTruth.js';
import { contractOperationNames, contractRequests } from '../support/contract.js';
import type { OutboundRecord } from '../support/outboundRecorder.js';
import { freePorts } from '../support/ports.js';
import { RedisHarness } from '../support/redis.js';
import { type ServiceProcess, startService } from '../support/serviceProcess.js';
import { TEST_AUDIENCE, TEST_ISSUER, testKeys, tokenFor } from '../support/tokens.js';

interface Started {
  readonly service: ServiceProcess;
  readonly logFile: string;
  /** The ports on loopback this process was configured to reach. */
  readonly allowedPorts: ReadonlySet<number>;
}

interface DirectoryCustomer {
  id: string;
  bank_links: Array<{ type: string }>;
}
interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1']);
const recorder = fromRoot('dist', 'test', 'support', 'outboundRecorder.js');

function records(logFile: string): OutboundRecord[] {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutboundRecord);
}

describe('nothing leaves the platform', () => {
  let redis: RedisHarness;
  let gatewayUrl: string;
  let sandboxUrl: string;
  const started = new Map<string, Started>();
  const subgraphPorts = new Map<string, number>();
  const folders: string[] = [];
  const folder = (label: string) => {
    const path = mkdtempSync(join(tmpdir(), `fingraph-outbound-${label}-`));
    folders.push(path);
    return path;
  };

  const run = async (name: string, entry: string, env: Record<string, string>, health: string, allowed: number[]) => {
    const logFile = join(folder(name), 'outbound.jsonl');
    const service = startService(
      name,
      entry,
      { ...env, LOG_LEVEL: 'warn', FINGRAPH_OUTBOUND_LOG: logFile },
      { nodeArgs: ['--import', recorder] },
    );
    started.set(name, { service, logFile, allowedPorts: new Set(allowed) });
    await service.healthy(health);
  };

  before(async () => {
    redis = await RedisHarness.start();
    const [sandboxPort, gatewayPort, ...ports] = (await freePorts(2 + subgraphs.length)) as [number, number, ...number[]];
    for (const [index, subgraph] of subgraphs.entries()) subgraphPorts.set(subgraph.name, ports[index] as number);
    const sandbox = `http://127.0.0.1:${sandboxPort}`;
    sandboxUrl = sandbox;
    const cacheKeys = `test-1:${testKeys.cacheKey.toString('base64')}`;

    // The sandbox reaches only the services it sends webhooks to.
    const webhookTargets = webhookReceivers
      .map(({ provider, subgraph }) => `${provider}=http://127.0.0.1:${subgraphPorts.get(subgraph)}/webhooks/${provider}`)
      .join(',');
    await run(
      'sandbox',
      'sandbox/index.js',
      { SANDBOX_PORT: String(sandboxPort), SANDBOX_LATENCY: 'none', SANDBOX_WEBHOOK_TARGETS: webhookTargets },
      `${sandbox}/healthz`,
      webhookReceivers.map(({ subgraph }) => subgraphPorts.get(subgraph) as number),
    );

    // Each subgraph reaches the sandbox (every upstream) and Redis.
    await Promise.all(
      subgraphs.map(({ name }) => {
        const port = subgraphPorts.get(name) as number;
        return run(
          name,
          `subgraphs/${name}/index.js`,
          {
            NODE_ENV: 'development',
            UPSTREAM_BASE_URL: sandbox,
            [`${name.toUpperCase()}_PORT`]: String(port),
            [`${name.toUpperCase()}_INTERNAL_KEY`]: deriveSubgraphKey(testKeys.internalSecret, name).toString('base64'),
            REDIS_URL: redis.url,
            CACHE_ENCRYPTION_KEYS: cacheKeys,
          },
          `http://127.0.0.1:${port}/healthz`,
          [sandboxPort, redis.port],
        );
      }),
    );

    // The gateway reaches the subgraphs and Redis (persisted queries), and nothing else: its keys are a local file.
    const publicKeyFile = join(folder('keys'), 'jwt-public.pem');
    writeFileSync(publicKeyFile, testKeys.publicKeyPem);
    await run(
      'gateway',
      'gateway/index.js',
      {
        NODE_ENV: 'development',
        GATEWAY_PORT: String(gatewayPort),
        JWT_PUBLIC_KEY_FILES: publicKeyFile,
        JWT_ISSUER: TEST_ISSUER,
        JWT_AUDIENCE: TEST_AUDIENCE,
        INTERNAL_TOKEN_SECRET: testKeys.internalSecret.toString('base64'),
        REDIS_URL: redis.url,
        ...Object.fromEntries(
          subgraphs.map(({ name }) => [`SUBGRAPH_${name.toUpperCase()}_URL`, `http://127.0.0.1:${subgraphPorts.get(name)}/graphql`]),
        ),
      },
      `http://127.0.0.1:${gatewayPort}/healthz`,
      [...subgraphPorts.values(), redis.port],
    );
    gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  });

  after(async () => {
    await Promise.all([...started.values()].map(({ service }) => service.stop()));
    await redis.close();
    for (const path of folders) rmSync(path, { recursive: true, force: true });
  });

  const graphql = async (query: string, token: string, variables: Record<string, unknown> = {}): Promise<GraphQLBody> => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as GraphQLBody;
  };

  it('serves every contract operation through the gateway', async () => {
    const admin = tokenFor({ role: 'admin', tenant: 'acme' });
    // A customer banking only at core banks, whose data has no consent that could have expired.
    const directory = await fetch(`${sandboxUrl}/directory/v1/customers?limit=100`, {
      headers: { authorization: `Bearer ${credentials.acme?.directory as string}` },
    });
    const customer = ((await directory.json()) as { data: DirectoryCustomer[] }).data.find(
      (entry) => entry.bank_links.length > 0 && entry.bank_links.every((link) => link.type === 'core_banking'),
    );
    assert.ok(customer, 'the sandbox seeds a customer banking only at core banks');
    const listed = await graphql('query ($id: ID!) { customer(id: $id) { accounts { id currency } } }', admin, { id: customer.id });
    const usd = (listed.data?.customer as { accounts: Array<{ id: string; currency: string }> }).accounts.find(
      (account) => account.currency === 'USD',
    );
    assert.ok(usd, 'the customer holds a USD account');

    // Every operation of the contract, so one added there is driven here too (or this fails until it is).
    const requests = contractRequests({ id: customer.id, usdAccountId: usd.id, idempotencyKey: `outbound-${Date.now()}` });
    assert.deepEqual(Object.keys(requests).sort(), contractOperationNames());
    const driven = Object.fromEntries(
      Object.entries(requests).map(([name, request]) => [name, () => graphql(request.query, request.token, request.variables)]),
    ) as Record<string, () => Promise<GraphQLBody>>;
    for (const [name, send] of Object.entries(driven)) {
      const body = await send();
      assert.equal(body.errors, undefined, `${name}: ${JSON.stringify(body.errors)}`);
      assert.ok(body.data, name);
    }
  });

  it('serves no landing page that loads Apollo’s scripts, to a browser at / or at /graphql, on the gateway or a subgraph', async () => {
    const origin = new URL(gatewayUrl).origin;
    const root = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
    const rootBody = await root.text();
    assert.equal(root.status, 404);
    // With a valid token, so the request reaches Apollo Server, which would answer a browser with its landing page.
    const graphqlPage = await fetch(gatewayUrl, {
      headers: { accept: 'text/html', authorization: `Bearer ${tokenFor({ role: 'admin', tenant: 'acme' })}` },
    });
    const graphqlBody = await graphqlPage.text();
    assert.equal(graphqlPage.status, 400);
    // A subgraph, asked directly with its internal token, neither.
    const port = subgraphPorts.get('accounts') as number;
    const internal = signInternalToken(
      deriveSubgraphKey(testKeys.internalSecret, 'accounts'),
      'accounts',
      { sub: 'staff_1', tenant: 'acme', customerId: undefined, scopes: ['accounts:read'], amr: ['pwd'] },
      'req-landing-page-01',
    );
    const subgraphPage = await fetch(`http://127.0.0.1:${port}/graphql`, {
      headers: { accept: 'text/html', [INTERNAL_TOKEN_HEADER]: internal },
    });
    const subgraphBody = await subgraphPage.text();
    assert.equal(subgraphPage.status, 400);
    for (const body of [rootBody, graphqlBody, subgraphBody]) {
      assert.doesNotMatch(body, /apollographql\.com|cdn|<script/i);
    }
  });

  it('made no connection and no look-up but to the addresses each process was configured with', async () => {
    const codes = await Promise.all([...started.values()].map(({ service }) => service.stop()));
    for (const [index, name] of [...started.keys()].entries()) assert.equal(codes[index], 0, `${name} stops cleanly`);
    for (const [name, { logFile, allowedPorts }] of started) {
      for (const entry of records(logFile)) {
        const where = `${name}: ${JSON.stringify(entry)}`;
        if (entry.kind === 'unix') assert.fail(`a Unix-socket connection nothing configured: ${where}`);
        assert.ok(entry.host !== undefined && LOOPBACK.has(entry.host), `only loopback: ${where}`);
        if (entry.kind !== 'dns') assert.ok(entry.port !== undefined && allowedPorts.has(entry.port), `only configured ports: ${where}`);
      }
    }
    // The recorder worked: the gateway's calls to each subgraph are in its log.
    const gateway = records((started.get('gateway') as Started).logFile);
    for (const [name, port] of subgraphPorts) {
      assert.ok(
        gateway.some((entry) => entry.kind === 'tcp' && entry.port === port),
        `the gateway's connection to ${name} was recorded`,
      );
    }
  });
});
