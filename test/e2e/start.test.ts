// `npm start` as a user runs it: every service in its own process, the gateway's URL printed on a line that names
// it, a token from `npm run token`, the contract's CashPosition served; SIGTERM stops everything cleanly. And a
// service with a bad configuration stops at once, naming the variable. Every service writes its audit records to day
// files (here in a folder of the test's own, as `.audit/` is for a user) with a checkpoint key made in DEV_KEYS_DIR.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditFiles } from '../../lib/audit/fileSink.js';
import { verifyFiles } from '../../lib/audit/verify.js';
import { fromRoot } from '../../lib/config/paths.js';
import { subgraphs } from '../../schema/subgraphs.js';
import { contractOperation } from '../support/contract.js';
import { freePorts } from '../support/ports.js';

describe('npm start', () => {
  let child: ChildProcess;
  let output = '';
  let gatewayUrl: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    // Every port its own, so this never meets a service on the standard ports (or another test's stack).
    const [sandbox, gateway, ...rest] = (await freePorts(2 + subgraphs.length)) as [number, number, ...number[]];
    // Only what this test sets, and PATH: an exported REDIS_URL, NODE_ENV or port of the developer's must not leak in.
    env = {
      PATH: process.env.PATH,
      SANDBOX_PORT: String(sandbox),
      GATEWAY_PORT: String(gateway),
      ...Object.fromEntries(subgraphs.map(({ name }, index) => [`${name.toUpperCase()}_PORT`, String(rest[index])])),
      DEV_KEYS_DIR: mkdtempSync(join(tmpdir(), 'fingraph-start-keys-')),
      AUDIT_DIRECTORY: mkdtempSync(join(tmpdir(), 'fingraph-start-audit-')),
      UPSTREAM_BASE_URL: `http://127.0.0.1:${sandbox}`,
      SANDBOX_LATENCY: 'none',
      LOG_LEVEL: 'warn',
    };
    child = spawn(process.execPath, [fromRoot('dist', 'bin', 'start.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    gatewayUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no gateway line in:\n${output}`)), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /^FinGraph gateway: (http:\/\/\S+)$/m.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
      child.once('exit', (code) => reject(new Error(`start exited ${code}:\n${output}`)));
    });
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const token = (...args: string[]) => {
    const run = spawnSync(process.execPath, [fromRoot('dist', 'bin', 'token.js'), ...args], { env, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim().split('\n').at(-1) as string;
  };

  it('prints the gateway URL, how to get a token, and serves the contract’s CashPosition to that token', async () => {
    assert.match(output, /npm run --silent token -- --role cfo --tenant acme/);
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token('--role', 'cfo', '--tenant', 'acme')}` },
      body: JSON.stringify({ query: contractOperation('CashPosition'), variables: { currency: 'GBP' } }),
    });
    const body = (await response.json()) as { data: { cashPosition: { complete: boolean; total: { currency: string } } } };
    assert.equal(response.status, 200);
    assert.equal(body.data.cashPosition.complete, true);
    assert.equal(body.data.cashPosition.total.currency, 'GBP');
  });

  it('issues a customer token for the tenant’s first customer when none is named', async () => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token('--role', 'customer', '--tenant', 'globex')}` },
      body: JSON.stringify({ query: '{ me { id } customers(first: 5) { edges { node { id } } } }' }),
    });
    const body = (await response.json()) as { data: { me: { id: string }; customers: { edges: Array<{ node: { id: string } }> } } };
    assert.match(body.data.me.id, /^cus_/);
    assert.deepEqual(
      body.data.customers.edges.map((edge) => edge.node.id),
      [body.data.me.id],
    );
  });

  it('audits every request in day files, with an Ed25519 checkpoint key made beside the other development keys', async () => {
    const directory = env.AUDIT_DIRECTORY as string;
    // The records of the requests above: appended as each answer ended, written within a batch.
    let records: Array<{ type: string; operationName: string | null; outcome: string }> = [];
    for (let attempt = 0; attempt < 100 && records.length < 2; attempt += 1) {
      const files = await auditFiles(directory, 'gateway');
      records = files.flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean)).map((line) => JSON.parse(line));
      if (records.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(
      records.some((record) => record.type === 'api.call' && record.operationName === 'CashPosition' && record.outcome === 'success'),
      JSON.stringify(records),
    );
    const verified = await verifyFiles(await auditFiles(directory, 'gateway'), { stream: 'gateway' });
    assert.ok(verified.ok, JSON.stringify(verified));
    const key = join(env.DEV_KEYS_DIR as string, 'audit-signing-key.pem');
    assert.match(readFileSync(key, 'utf8'), /BEGIN PRIVATE KEY/);
    assert.equal(statSync(key).mode & 0o777, 0o600, 'readable by its owner only');
  });

  it('stops every service on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    await assert.rejects(fetch(gatewayUrl.replace('/graphql', '/healthz')));
  });

  it('refuses to start a service whose configuration is wrong, naming the variable', () => {
    const run = spawnSync(process.execPath, [fromRoot('dist', 'gateway', 'index.js')], {
      env: { PATH: process.env.PATH, NODE_ENV: 'development', GATEWAY_PORT: '70000' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 78);
    assert.match(run.stderr, /GATEWAY_PORT: expected an integer from 0 to 65535/);
    const accounts = spawnSync(process.execPath, [fromRoot('dist', 'subgraphs', 'accounts', 'index.js')], {
      env: { PATH: process.env.PATH, NODE_ENV: 'development', ACCOUNTS_INTERNAL_KEY: 'c2hvcnQ=' },
      encoding: 'utf8',
    });
    assert.equal(accounts.status, 78);
    assert.match(accounts.stderr, /ACCOUNTS_INTERNAL_KEY: expected a base64 key of at least 32 bytes/);
    assert.doesNotMatch(accounts.stderr, /c2hvcnQ/, 'a secret’s value is never echoed');
  });
});
