// A private Redis Cluster for the tests: N masters, no replicas, each a redis-server on a free loopback port with its
// cluster bus on another free port. It never uses the machine's Redis on 6379, fails with a clear message when
// redis-server or redis-cli is not installed, and removes its processes and files on close(), or when start() fails.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.js';
import { redisServerBinary } from './redis.js';
import { killAsCrash, onPath } from './serverBinaries.js';

export class RedisCliNotInstalledError extends Error {
  constructor() {
    super(
      'redis-cli is not installed or not on PATH: the cluster tests need it to create the cluster (Debian: apt-get install redis-tools)',
    );
    this.name = 'RedisCliNotInstalledError';
  }
}

export interface RedisClusterOptions {
  /** How many masters (each holding a share of the 16384 slots); redis-cli needs at least 3. Default 3. */
  masters?: number;
}

export interface RedisClusterNode {
  host: string;
  port: number;
}

const HOST = '127.0.0.1';
const NODE_TIMEOUT_MS = 2000;
const LOG_TAIL_CHARS = 4000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends one command over a fresh connection and returns the reply's text (simple, error, integer or bulk). */
function command(port: number, args: string[], timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let buffer = Buffer.alloc(0);
    const finish = (value: string | undefined): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
    });
    socket.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      const lineEnd = buffer.indexOf('\r\n');
      if (lineEnd < 0) return;
      const head = buffer.subarray(0, lineEnd).toString();
      if (head.startsWith('$')) {
        const length = Number(head.slice(1));
        if (length < 0) {
          finish(undefined);
          return;
        }
        if (buffer.length < lineEnd + 2 + length) return;
        finish(buffer.subarray(lineEnd + 2, lineEnd + 2 + length).toString());
        return;
      }
      finish(head);
    });
    socket.once('error', () => finish(undefined));
    socket.once('timeout', () => finish(undefined));
  });
}

function clusterInfo(port: number): Promise<string | undefined> {
  return command(port, ['CLUSTER', 'INFO']);
}

function infoField(info: string | undefined, field: string): string | undefined {
  return info
    ?.split('\r\n')
    .find((line) => line.startsWith(`${field}:`))
    ?.slice(field.length + 1);
}

interface NodeState {
  readonly port: number;
  readonly busPort: number;
  process: ChildProcess | undefined;
  log: string;
}

export class RedisClusterHarness {
  /** Where each master listens, in the order of the stopNode/restartNode indexes. */
  readonly nodes: RedisClusterNode[];
  private readonly states: NodeState[];
  private closed = false;
  private readonly killOnExit = (): void => {
    for (const state of this.states) state.process?.kill('SIGKILL');
  };

  private constructor(
    private readonly server: string,
    private readonly cli: string,
    private readonly directory: string,
    ports: number[],
    busPorts: number[],
  ) {
    this.states = ports.map((port, index) => ({ port, busPort: busPorts[index] as number, process: undefined, log: '' }));
    this.nodes = ports.map((port) => ({ host: HOST, port }));
    // A test run that dies without close() must not leave redis-servers behind.
    process.once('exit', this.killOnExit);
  }

  static async start(options: RedisClusterOptions = {}): Promise<RedisClusterHarness> {
    const masters = options.masters ?? 3;
    if (!Number.isInteger(masters) || masters < 3) {
      throw new Error(`a Redis Cluster needs at least 3 masters (redis-cli --cluster create refuses fewer); got ${masters}`);
    }
    const server = redisServerBinary();
    const cli = onPath('redis-cli');
    if (!cli) throw new RedisCliNotInstalledError();

    // Each node needs a client port and a cluster-bus port. The default bus port (client port + 10000) may be taken
    // or, for ephemeral ports above 55535, not exist, so the bus ports are free ports chosen here too.
    const ports = (await freePorts(masters * 2 + 2)).filter((port) => port !== 6379 && port !== 16379).slice(0, masters * 2);
    const directory = mkdtempSync(join(tmpdir(), 'fingraph-redis-cluster-'));
    const harness = new RedisClusterHarness(server, cli, directory, ports.slice(0, masters), ports.slice(masters));
    try {
      await Promise.all(harness.states.map((state) => harness.startProcess(state)));
      await harness.createCluster();
      await harness.waitUntilOk(harness.states, 20_000);
      return harness;
    } catch (error) {
      await harness.close();
      throw error;
    }
  }

  /** Kills one master outright, as a crash would. Its slots become unavailable and, after the 2 s node timeout, the
   * cluster reports cluster_state:fail. */
  async stopNode(index: number): Promise<void> {
    await this.kill(this.state(index));
  }

  /** Starts a stopped (or running) master again on the same ports, empty but with its node id and slots from its
   * nodes.conf, and waits until every running node reports cluster_state:ok (up to ~5 s after a long outage, while the
   * others clear their FAIL flag for it). */
  async restartNode(index: number): Promise<void> {
    const state = this.state(index);
    await this.kill(state);
    await this.startProcess(state);
    await this.waitUntilOk(
      this.states.filter((candidate) => candidate.process),
      30_000,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.states.map((state) => this.kill(state)));
    process.removeListener('exit', this.killOnExit);
    rmSync(this.directory, { recursive: true, force: true });
  }

  private state(index: number): NodeState {
    if (this.closed) throw new Error('the Redis cluster harness is closed');
    const state = this.states[index];
    if (!state) throw new RangeError(`no cluster node ${index}: there are ${this.states.length}`);
    return state;
  }

  private async startProcess(state: NodeState): Promise<void> {
    const child = spawn(
      this.server,
      [
        '--port',
        String(state.port),
        '--cluster-port',
        String(state.busPort),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(this.directory, `nodes-${state.port}.conf`),
        '--cluster-node-timeout',
        String(NODE_TIMEOUT_MS),
        '--save',
        '',
        '--appendonly',
        'no',
        '--bind',
        HOST,
        '--protected-mode',
        'yes',
        '--dir',
        this.directory,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    state.process = child;
    state.log = '';
    const keep = (data: Buffer): void => {
      state.log = (state.log + data.toString()).slice(-LOG_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (spawnError) throw new Error(`redis-server (cluster node on port ${state.port}) could not be run: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `redis-server (cluster node on port ${state.port}) exited with ${child.exitCode ?? child.signalCode}:\n${state.log}`,
        );
      }
      if ((await command(state.port, ['PING'], 500)) === '+PONG') return;
      await sleep(50);
    }
    throw new Error(`redis-server (cluster node on port ${state.port}) did not answer within 5 s:\n${state.log}`);
  }

  private createCluster(): Promise<void> {
    const args = [
      '--cluster',
      'create',
      ...this.states.map((state) => `${HOST}:${state.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ];
    return new Promise((resolve, reject) => {
      // No password, and none taken from the caller's environment.
      const env = { ...process.env };
      delete env.REDISCLI_AUTH;
      const child = spawn(this.cli, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
      let output = '';
      child.stdout.on('data', (data: Buffer) => {
        output += data.toString();
      });
      child.stderr.on('data', (data: Buffer) => {
        output += data.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`redis-cli could not be run: ${error.message}`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0 && output.includes('[OK] All 16384 slots covered')) resolve();
        else reject(new Error(`redis-cli ${args.join(' ')} failed (${code ?? signal}):\n${output}`));
      });
    });
  }

  /** Polls CLUSTER INFO until each of these nodes reports cluster_state:ok, all slots assigned and all nodes known. */
  private async waitUntilOk(states: NodeState[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(states);
    const last = new Map<NodeState, string | undefined>();
    while (pending.size > 0) {
      for (const state of [...pending]) {
        const info = await clusterInfo(state.port);
        last.set(state, info);
        if (
          infoField(info, 'cluster_state') === 'ok' &&
          infoField(info, 'cluster_slots_assigned') === '16384' &&
          infoField(info, 'cluster_known_nodes') === String(this.states.length)
        ) {
          pending.delete(state);
        }
      }
      if (pending.size === 0) return;
      if (Date.now() > deadline) {
        const report = [...pending].map((state) => `port ${state.port}: ${last.get(state)?.replace(/\r\n/g, ' ') ?? 'no answer'}`);
        throw new Error(`the Redis cluster did not reach cluster_state:ok within ${timeoutMs} ms:\n${report.join('\n')}`);
      }
      await sleep(100);
    }
  }

  private async kill(state: NodeState): Promise<void> {
    const child = state.process;
    state.process = undefined;
    await killAsCrash(child);
  }
}
