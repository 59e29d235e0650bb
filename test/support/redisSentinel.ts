// A private Redis Sentinel setup for the tests: a master, one replica and sentinels (`redis-server --sentinel <conf>`),
// each on a free loopback port with its files in a temporary folder. The sentinels judge a master down after 500 ms and
// fail over within 2 s, so a failover test takes seconds. It never uses the machine's Redis, fails with a clear message
// when redis-server is not installed, and removes its processes and files on close(), or when start() fails.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePorts } from './ports.js';
import { redisServerBinary } from './redis.js';
import { killAsCrash } from './serverBinaries.js';

export interface RedisSentinelOptions {
  /** How many sentinels watch the master; the quorum is a majority of them. Default 1 (the fastest to agree). */
  sentinels?: number;
}

export interface SentinelAddress {
  host: string;
  port: number;
}

const HOST = '127.0.0.1';
const MASTER_NAME = 'fg-test';
/** How long the master may be silent before a sentinel calls it down. */
const DOWN_AFTER_MS = 500;
/** The bound on one failover attempt (and the wait before a stuck one is retried). */
const FAILOVER_TIMEOUT_MS = 2000;
const LOG_TAIL_CHARS = 4000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One command on a fresh connection that never retries; undefined when the server does not answer. */
async function ask(port: number, ...args: string[]): Promise<unknown> {
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 3000,
    enableOfflineQueue: false,
  });
  client.on('error', () => {
    /* the answer (undefined) says it */
  });
  try {
    await client.connect();
    return await client.call(args[0] as string, ...args.slice(1));
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/** A field of an INFO section ("master_link_status"), or undefined. */
function infoField(info: unknown, field: string): string | undefined {
  if (typeof info !== 'string') return undefined;
  return info
    .split('\r\n')
    .find((line) => line.startsWith(`${field}:`))
    ?.slice(field.length + 1);
}

/** A field of a SENTINEL MASTER reply (a flat list of names and values). */
function replyField(reply: unknown, field: string): string | undefined {
  if (!Array.isArray(reply)) return undefined;
  const index = reply.indexOf(field);
  return index >= 0 && index % 2 === 0 ? String(reply[index + 1]) : undefined;
}

interface Process {
  readonly name: string;
  readonly port: number;
  readonly args: string[];
  child: ChildProcess | undefined;
  log: string;
}

export class RedisSentinelHarness {
  /** The master group's name the sentinels know (REDIS_SENTINEL_NAME). */
  readonly name = MASTER_NAME;
  private readonly master: Process;
  private readonly replica: Process;
  private readonly watchers: Process[];
  private closed = false;
  private readonly killOnExit = (): void => {
    for (const server of this.all()) server.child?.kill('SIGKILL');
  };

  private constructor(
    private readonly binary: string,
    private readonly directory: string,
    ports: number[],
    sentinels: number,
  ) {
    const [masterPort, replicaPort, ...sentinelPorts] = ports as [number, number, ...number[]];
    const server = (name: string, port: number, extra: string[] = []): Process => {
      const dir = join(directory, name);
      mkdirSync(dir);
      // No snapshot on disk and a full sync sent at once (the default waits 5 s for more replicas to join).
      return {
        name,
        port,
        child: undefined,
        log: '',
        args: [
          '--port',
          String(port),
          '--bind',
          HOST,
          '--protected-mode',
          'yes',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          '--repl-diskless-sync-delay',
          '0',
          ...extra,
        ],
      };
    };
    this.master = server('master', masterPort);
    this.replica = server('replica', replicaPort, ['--replicaof', HOST, String(masterPort)]);
    const quorum = Math.floor(sentinels / 2) + 1;
    this.watchers = sentinelPorts.slice(0, sentinels).map((port, index) => {
      const dir = join(directory, `sentinel-${index}`);
      mkdirSync(dir);
      // A sentinel rewrites its own file (what it learnt about replicas and other sentinels), so each has its own.
      const file = join(dir, 'sentinel.conf');
      writeFileSync(
        file,
        [
          `port ${port}`,
          `bind ${HOST}`,
          `dir ${dir}`,
          `sentinel monitor ${MASTER_NAME} ${HOST} ${masterPort} ${quorum}`,
          `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${MASTER_NAME} ${FAILOVER_TIMEOUT_MS}`,
          `sentinel parallel-syncs ${MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      return { name: `sentinel-${index}`, port, child: undefined, log: '', args: [file, '--sentinel'] };
    });
    // A test run that dies without close() must not leave redis-servers behind.
    process.once('exit', this.killOnExit);
  }

  static async start(options: RedisSentinelOptions = {}): Promise<RedisSentinelHarness> {
    const sentinels = options.sentinels ?? 1;
    if (!Number.isInteger(sentinels) || sentinels < 1)
      throw new RangeError(`sentinels: expected an integer of at least 1, got ${sentinels}`);
    // Found before the folder is made, so that a missing binary leaves nothing behind.
    const binary = redisServerBinary();
    const ports = (await freePorts(2 + sentinels + 2)).filter((port) => port !== 6379 && port !== 26379).slice(0, 2 + sentinels);
    const harness = new RedisSentinelHarness(binary, mkdtempSync(join(tmpdir(), 'fingraph-redis-sentinel-')), ports, sentinels);
    try {
      await harness.run(harness.master);
      await harness.run(harness.replica);
      await harness.until(
        'the replica to sync with the master',
        10_000,
        async () => infoField(await ask(harness.replica.port, 'INFO', 'replication'), 'master_link_status') === 'up',
      );
      // Started after the replica is in sync, so that each sentinel's first look at the master already lists it.
      await Promise.all(harness.watchers.map((watcher) => harness.run(watcher)));
      await harness.until('the sentinels to see the master and its replica', 15_000, async () => {
        const replies = await Promise.all(harness.watchers.map((watcher) => ask(watcher.port, 'SENTINEL', 'MASTER', MASTER_NAME)));
        return replies.every(
          (reply) =>
            replyField(reply, 'flags') === 'master' &&
            replyField(reply, 'num-slaves') === '1' &&
            replyField(reply, 'num-other-sentinels') === String(sentinels - 1),
        );
      });
      return harness;
    } catch (error) {
      await harness.close();
      throw error;
    }
  }

  /** Where the sentinels listen (REDIS_SENTINELS). */
  get sentinels(): SentinelAddress[] {
    return this.watchers.map((watcher) => ({ host: HOST, port: watcher.port }));
  }

  /** The master's port as the sentinels report it now. */
  async masterPort(): Promise<number | undefined> {
    for (const watcher of this.watchers) {
      const reply = await ask(watcher.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME);
      if (Array.isArray(reply) && reply.length === 2) return Number(reply[1]);
    }
    return undefined;
  }

  /**
   * Kills the master outright, as a crash would, once the replica holds every write made so far (WAIT), and returns
   * when the sentinels report the replica as the new master and it accepts writes.
   */
  async killMasterAndFailOver(): Promise<void> {
    if (this.closed) throw new Error('the Redis Sentinel harness is closed');
    const acknowledged = await ask(this.master.port, 'WAIT', '1', '2000');
    if (acknowledged !== 1)
      throw new Error(`the replica did not acknowledge the master's writes before the failover (WAIT answered ${String(acknowledged)})`);
    await this.kill(this.master);
    await this.until(
      'the sentinels to promote the replica',
      20_000,
      async () =>
        (await this.masterPort()) === this.replica.port &&
        infoField(await ask(this.replica.port, 'INFO', 'replication'), 'role') === 'master',
    );
  }

  /** The port of the server that was the replica at start (the master after a failover). */
  get replicaPort(): number {
    return this.replica.port;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.all().map((server) => this.kill(server)));
    process.removeListener('exit', this.killOnExit);
    rmSync(this.directory, { recursive: true, force: true });
  }

  private all(): Process[] {
    return [this.master, this.replica, ...this.watchers];
  }

  private async run(server: Process): Promise<void> {
    const child = spawn(this.binary, server.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    server.child = child;
    const keep = (data: Buffer): void => {
      server.log = (server.log + data.toString()).slice(-LOG_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    await this.until(`${server.name} (port ${server.port}) to answer`, 5000, async () => {
      if (spawnError) throw new Error(`redis-server (${server.name}) could not be run: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `redis-server (${server.name}, port ${server.port}) exited with ${child.exitCode ?? child.signalCode}:\n${server.log}`,
        );
      }
      return (await ask(server.port, 'PING')) === 'PONG';
    });
  }

  /** Polls until the condition holds; past the deadline, fails naming what it waited for, with the servers' logs. */
  private async until(what: string, timeoutMs: number, condition: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) {
        const logs = this.all()
          .map((server) => `--- ${server.name} (port ${server.port}):\n${server.log.slice(-1500)}`)
          .join('\n');
        throw new Error(`the Redis Sentinel harness waited ${timeoutMs} ms for ${what}, in vain:\n${logs}`);
      }
      await sleep(50);
    }
  }

  private async kill(server: Process): Promise<void> {
    const child = server.child;
    server.child = undefined;
    await killAsCrash(child);
  }
}
