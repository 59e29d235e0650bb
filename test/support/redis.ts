// A private redis-server for the tests, on a free loopback port, that a test can stop and restart. It never uses the
// machine's Redis on 6379, and fails with a clear message when redis-server is not installed.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { killAsCrash, onPath } from './serverBinaries.js';

export class RedisNotInstalledError extends Error {
  constructor() {
    super('redis-server is not installed or not on PATH: the tests need it (Debian: apt-get install redis-server)');
    this.name = 'RedisNotInstalledError';
  }
}

/** redis-server on PATH; the harnesses of a Cluster and of Sentinel use it too. */
export function redisServerBinary(): string {
  const binary = onPath('redis-server');
  if (!binary) throw new RedisNotInstalledError();
  return binary;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      resolve(false);
      socket.destroy();
    });
  });
}

export class RedisHarness {
  private process: ChildProcess | undefined;
  // Found before the folder is made, so that a missing binary leaves nothing behind.
  private readonly binary = redisServerBinary();
  private readonly directory = mkdtempSync(join(tmpdir(), 'fingraph-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisHarness> {
    const harness = new RedisHarness(await freePort());
    try {
      await harness.startProcess();
    } catch (error) {
      await harness.close();
      throw error;
    }
    return harness;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async startProcess(): Promise<void> {
    const child = spawn(
      this.binary,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.directory,
        '--protected-mode',
        'yes',
      ],
      { stdio: 'ignore' },
    );
    this.process = child;
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${this.port}`);
      if (await ping(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server did not answer on port ${this.port}`);
  }

  /** Kills the server outright, as a crash would. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    await killAsCrash(child);
  }

  /** Starts it again on the same port, empty. */
  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
