// `REDIS_URL=redis://… npm start` works out of the box (issue 11 item 7): start generates a development cache key
// into DEV_KEYS_DIR beside the other development keys and hands it to every subgraph as CACHE_ENCRYPTION_KEYS, so
// the stack starts, serves through the gateway, and what it caches lands in that Redis with every sensitive value
// sealed under that key (no personal data in clear).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { DEV_CACHE_KEY_ID } from '../../bin/devKeys.js';
import { ValueCipher } from '../../lib/cache/encryption.js';
import { fromRoot } from '../../lib/config/paths.js';
import { subgraphs } from '../../schema/subgraphs.js';
import { defaultCachePolicy } from '../../subgraphs/accounts/cachePolicy.js';
import { creditCachePolicy } from '../../subgraphs/credit/cachePolicy.js';
import { identityCachePolicy } from '../../subgraphs/identity/cachePolicy.js';
import { contractOperation } from '../support/contract.js';
import { freePorts } from '../support/ports.js';
import { RedisHarness } from '../support/redis.js';

const sensitiveNamespaces = new Set(
  [defaultCachePolicy, identityCachePolicy, creditCachePolicy]
    .flatMap((policies) => Object.values(policies) as Array<{ namespace: string; sensitive: boolean }>)
    .filter((policy) => policy.sensitive)
    .map((policy) => policy.namespace),
);

describe('REDIS_URL=… npm start', () => {
  let redis: RedisHarness;
  let child: ChildProcess;
  let env: NodeJS.ProcessEnv;
  let gatewayUrl: string;
  let output = '';
  const keysDir = mkdtempSync(join(tmpdir(), 'fingraph-start-redis-keys-'));

  before(async () => {
    redis = await RedisHarness.start();
    const [sandbox, gateway, ...rest] = (await freePorts(2 + subgraphs.length)) as [number, number, ...number[]];
    env = {
      PATH: process.env.PATH,
      DEV_KEYS_DIR: keysDir,
      // Not the repository's .audit/: test files run side by side, and two writers on one stream would fork it.
      AUDIT_DIRECTORY: mkdtempSync(join(tmpdir(), 'fingraph-start-audit-')),
      LOG_LEVEL: 'warn',
      SANDBOX_LATENCY: 'none',
      REDIS_URL: redis.url,
      SANDBOX_PORT: String(sandbox),
      GATEWAY_PORT: String(gateway),
      UPSTREAM_BASE_URL: `http://127.0.0.1:${sandbox}`,
      ...Object.fromEntries(subgraphs.map(({ name }, index) => [`${name.toUpperCase()}_PORT`, String(rest[index])])),
    };
    child = spawn(process.execPath, [fromRoot('dist', 'bin', 'start.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    // start gives up by itself (START_HEALTH_TIMEOUT_MS) and exits, which rejects this.
    gatewayUrl = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /^FinGraph gateway: (http:\/\/\S+)$/m.exec(output);
        if (match) resolve(match[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`start exited ${code}:\n${output}`)));
    });
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await redis.close();
    rmSync(keysDir, { recursive: true, force: true });
  });

  const token = (...args: string[]) => {
    const run = spawnSync(process.execPath, [fromRoot('dist', 'bin', 'token.js'), ...args], { env, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim().split('\n').at(-1) as string;
  };
  const graphql = async (query: string, variables: Record<string, unknown>, bearer: string) => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ query, variables }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  };

  it('generates the cache key into DEV_KEYS_DIR, readable by its owner only', () => {
    const file = join(keysDir, 'cache-encryption-key');
    assert.equal(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').length, 32);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('serves through the gateway and caches in that Redis, every sensitive value sealed with the generated key', async () => {
    const admin = token('--role', 'admin', '--tenant', 'acme');
    const listed = await graphql(contractOperation('Customers'), { first: 3 }, admin);
    const id = (listed.data?.customers as { edges: Array<{ node: { id: string } }> }).edges[0]?.node.id;
    assert.ok(id, JSON.stringify(listed));
    const overview = await graphql(contractOperation('CustomerOverview'), { id }, admin);
    const customer = overview.data?.customer as {
      id: string;
      displayName: string;
      email: string;
      accounts: Array<{ maskedNumber: string }>;
    };
    assert.equal(customer.id, id, JSON.stringify(overview.errors));

    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('fg:*');
      const values = new Map<string, string>();
      for (const key of keys) if ((await client.type(key)) === 'string') values.set(key, (await client.get(key)) as string);
      const sensitive = [...values].filter(([key]) => sensitiveNamespaces.has(key.split(':')[2] as string));
      assert.ok(sensitive.length > 0, `sensitive entries were cached: ${keys.join(', ')}`);
      const key = Buffer.from(readFileSync(join(keysDir, 'cache-encryption-key'), 'utf8').trim(), 'base64');
      const cipher = new ValueCipher({ keys: new Map([[DEV_CACHE_KEY_ID, key]]), current: DEV_CACHE_KEY_ID });
      for (const [redisKey, value] of sensitive) {
        assert.match(value, /^e1\./, `${redisKey} is stored encrypted`);
        assert.notEqual(cipher.decrypt(value, redisKey), undefined, `${redisKey} opens with the key in DEV_KEYS_DIR`);
      }
      const stored = [...values.values()].join('\n');
      for (const secret of [customer.email, customer.displayName])
        assert.ok(!stored.includes(secret), `${secret.slice(0, 3)}… is not stored in clear`);
    } finally {
      client.disconnect();
    }
  });
});
