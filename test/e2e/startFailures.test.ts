// `npm start` when a service cannot start (issue 11 item 7): a service whose port is taken, or one not healthy
// within START_HEALTH_TIMEOUT_MS, stops every service already started; start exits 1 with one line of its own naming
// the service and the reason, no stack trace anywhere, and no process of it is left (no port held, no child alive).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fromRoot } from '../../lib/config/paths.js';
import { subgraphs } from '../../schema/subgraphs.js';
import { freePorts } from '../support/ports.js';
import { processesWithEnv } from '../support/processes.js';

const MARKER = 'FINGRAPH_START_TEST_RUN';
const keysDir = mkdtempSync(join(tmpdir(), 'fingraph-start-failures-keys-'));

interface Ports {
  readonly sandbox: number;
  readonly gateway: number;
  readonly subgraphs: ReadonlyMap<string, number>;
}

async function choosePorts(): Promise<Ports> {
  const [sandbox, gateway, ...rest] = (await freePorts(2 + subgraphs.length)) as [number, number, ...number[]];
  return { sandbox, gateway, subgraphs: new Map(subgraphs.map(({ name }, index) => [name, rest[index] as number])) };
}

/** Runs `node dist/bin/start.js` to its exit with every port its own; returns its exit code, stderr and run marker. */
async function runStart(ports: Ports, env: Record<string, string> = {}) {
  const marker = randomUUID();
  const child = spawn(process.execPath, [fromRoot('dist', 'bin', 'start.js')], {
    env: {
      PATH: process.env.PATH,
      DEV_KEYS_DIR: keysDir,
      // Not the repository's .audit/: test files run side by side, and two writers on one stream would fork it.
      AUDIT_DIRECTORY: mkdtempSync(join(tmpdir(), 'fingraph-start-audit-')),
      LOG_LEVEL: 'warn',
      SANDBOX_LATENCY: 'none',
      [MARKER]: marker,
      SANDBOX_PORT: String(ports.sandbox),
      GATEWAY_PORT: String(ports.gateway),
      UPSTREAM_BASE_URL: `http://127.0.0.1:${ports.sandbox}`,
      ...Object.fromEntries([...ports.subgraphs].map(([name, port]) => [`${name.toUpperCase()}_PORT`, String(port)])),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  return { code, stderr, stdout, marker };
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function startLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('start:'));
}

describe('npm start when a service cannot start', () => {
  after(() => rmSync(keysDir, { recursive: true, force: true }));

  it('a port already taken: the service says so, start stops the sandbox it had started and exits 1 with one line', async () => {
    const ports = await choosePorts();
    const accountsPort = ports.subgraphs.get('accounts') as number;
    // Another program on the accounts port; it hangs up on whoever connects (start's health checks among them).
    const holder: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen(accountsPort, '127.0.0.1', () => resolve()));
    try {
      const run = await runStart(ports);
      assert.equal(run.code, 1, run.stderr);
      assert.deepEqual(startLines(run.stderr), ['start: accounts exited with code 1 before it was healthy; stopped every service']);
      assert.match(
        run.stderr,
        new RegExp(`^accounts: cannot listen on 127\\.0\\.0\\.1:${accountsPort}: the address is already in use \\(EADDRINUSE\\)$`, 'm'),
      );
      assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
      assert.doesNotMatch(run.stdout, /FinGraph gateway:/);
      assert.deepEqual(processesWithEnv(MARKER, run.marker), [], 'no child process is left');
      assert.ok(await refused(ports.sandbox), 'the sandbox it had started is stopped');
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('a service not healthy within START_HEALTH_TIMEOUT_MS: start stops it and exits 1 with one line naming it', async () => {
    const ports = await choosePorts();
    // No process answers within 1 ms of being spawned: the sandbox is still starting when its deadline passes.
    const run = await runStart(ports, { START_HEALTH_TIMEOUT_MS: '1' });
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(startLines(run.stderr), [
      `start: sandbox was not healthy at http://127.0.0.1:${ports.sandbox}/healthz within 1 ms (START_HEALTH_TIMEOUT_MS); stopped every service`,
    ]);
    assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
    assert.deepEqual(processesWithEnv(MARKER, run.marker), [], 'no child process is left');
    assert.ok(await refused(ports.sandbox), 'the sandbox is not listening');
  });

  it('a START_HEALTH_TIMEOUT_MS that is not a whole number of milliseconds is a configuration error, exit 78', async () => {
    for (const value of ['soon', '0', '2.5']) {
      const run = await runStart(await choosePorts(), { START_HEALTH_TIMEOUT_MS: value });
      assert.equal(run.code, 78, run.stderr);
      assert.equal(
        run.stderr,
        `start: configuration error: START_HEALTH_TIMEOUT_MS: expected an integer from 1 to 600000, got "${value}"\n`,
      );
      assert.deepEqual(processesWithEnv(MARKER, run.marker), []);
    }
  });
});
