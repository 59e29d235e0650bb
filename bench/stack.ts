// The topology benchmarks measure: `bin/start.js` (sandbox with realistic latency, each subgraph and the gateway as
// their own processes) on free ports, plus development tokens from `bin/token.js`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../lib/config/paths.js';
import { freePorts } from '../test/support/ports.js';

export interface BenchStack {
  readonly gatewayUrl: string;
  readonly accountsUrl: string;
  readonly keysDir: string;
  token(role: string): string;
  stop(): Promise<void>;
}

export async function startBenchStack(extraEnv: Readonly<Record<string, string>> = {}): Promise<BenchStack> {
  const [sandboxPort, accountsPort, gatewayPort] = (await freePorts(3)) as [number, number, number];
  const keysDir = mkdtempSync(join(tmpdir(), 'fingraph-bench-keys-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env, DEV_KEYS_DIR: keysDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', SANDBOX_LATENCY: 'realistic',
    SANDBOX_PORT: String(sandboxPort), ACCOUNTS_PORT: String(accountsPort), GATEWAY_PORT: String(gatewayPort),
    UPSTREAM_BASE_URL: `http://127.0.0.1:${sandboxPort}`, ...extraEnv,
  };
  const child = spawn(process.execPath, [fromRoot('dist', 'bin', 'start.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); if (/FinGraph gateway:/.test(output)) resolve(); });
    child.once('exit', (code) => reject(new Error(`stack exited ${code}`)));
  });
  return {
    gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`,
    accountsUrl: `http://127.0.0.1:${accountsPort}/graphql`,
    keysDir,
    token: (role) => spawnSync(process.execPath, [fromRoot('dist', 'bin', 'token.js'), '--role', role, '--tenant', 'acme', '--ttl', '3600'],
      { env, encoding: 'utf8' }).stdout.trim(),
    stop: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
  };
}
