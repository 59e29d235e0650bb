// The topology benchmarks measure: `bin/start.js` (sandbox with realistic latency, each subgraph and the gateway as
// their own processes) on free ports, plus development tokens from `bin/token.js`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../lib/config/paths.js';
import { subgraphs } from '../schema/subgraphs.js';
import { freePorts } from '../test/support/ports.js';

export interface BenchStack {
  readonly gatewayUrl: string;
  /** Each subgraph's own URL, for baselines that skip the gateway. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly keysDir: string;
  token(role: string): string;
  /**
   * CPU time (user and system, in ms) each process of the stack has used so far, by its entry under dist/ (`gateway`,
   * `subgraphs/accounts`, `sandbox`, …), from Linux's /proc; empty where there is none. On a machine others share,
   * the CPU a request costs is steadier than the requests per second it allows.
   */
  cpuMillis(): Record<string, number>;
  stop(): Promise<void>;
}

/** The kernel's clock ticks per second, in which /proc reports CPU time (100 on every common Linux). */
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The process and all its descendants, each with its entry (the dist/ path it runs) and CPU time so far. */
function cpuOfTree(pid: number, into: Record<string, number> = {}): Record<string, number> {
  const entry = read(`/proc/${pid}/cmdline`)?.match(/dist\/(.+?)(?:\/index)?\.js/)?.[1];
  // The command is in parentheses and may hold spaces: the fields after it are space-separated (utime, stime: 12, 13).
  const fields = read(`/proc/${pid}/stat`)?.split(') ')[1]?.split(' ');
  if (entry && fields) into[entry] = ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  for (const child of (read(`/proc/${pid}/task/${pid}/children`) ?? '').split(' ').filter(Boolean)) cpuOfTree(Number(child), into);
  return into;
}

export async function startBenchStack(extraEnv: Readonly<Record<string, string>> = {}): Promise<BenchStack> {
  const [sandboxPort, gatewayPort, ...subgraphPorts] = (await freePorts(2 + subgraphs.length)) as number[];
  const ports = new Map(subgraphs.map((subgraph, index) => [subgraph.name, subgraphPorts[index] as number]));
  const keysDir = mkdtempSync(join(tmpdir(), 'fingraph-bench-keys-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DEV_KEYS_DIR: keysDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SANDBOX_LATENCY: 'realistic',
    SANDBOX_PORT: String(sandboxPort),
    GATEWAY_PORT: String(gatewayPort),
    ...Object.fromEntries([...ports].map(([name, port]) => [`${name.toUpperCase()}_PORT`, String(port)])),
    UPSTREAM_BASE_URL: `http://127.0.0.1:${sandboxPort}`,
    // The rate limiter runs (its cost is part of what is measured) but with a budget no benchmark reaches: the default
    // tenant budget would answer most of a load run with 429.
    RATE_LIMIT_PLANS: process.env.RATE_LIMIT_PLANS ?? 'default=1000000/1:1000000',
    ...extraEnv,
  };
  const child = spawn(process.execPath, [fromRoot('dist', 'bin', 'start.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/FinGraph gateway:/.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`stack exited ${code}`)));
  });
  return {
    gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`,
    subgraphUrls: Object.fromEntries([...ports].map(([name, port]) => [name, `http://127.0.0.1:${port}/graphql`])),
    keysDir,
    token: (role) =>
      spawnSync(process.execPath, [fromRoot('dist', 'bin', 'token.js'), '--role', role, '--tenant', 'acme', '--ttl', '3600'], {
        env,
        encoding: 'utf8',
      }).stdout.trim(),
    cpuMillis: () => (child.pid === undefined ? {} : cpuOfTree(child.pid)),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
