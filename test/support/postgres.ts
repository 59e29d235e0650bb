// A private PostgreSQL for the tests: initdb into a temporary folder, postgres on a free loopback port, killable and
// restartable. It never uses a machine's own cluster, and fails with a clear message when the binaries are missing.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';
import { killAsCrash } from './serverBinaries.js';

export class PostgresNotInstalledError extends Error {
  constructor(detail: string) {
    super(
      `PostgreSQL's server binaries (initdb, postgres) are not installed: the tests need them (Debian: apt-get install postgresql); ${detail}`,
    );
    this.name = 'PostgresNotInstalledError';
  }
}

/** Debian keeps initdb and postgres outside PATH, in the versioned folder `pg_config --bindir` prints. */
function serverBinaries(): { initdb: string; postgres: string } {
  let bindir: string;
  try {
    bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    throw new PostgresNotInstalledError('pg_config was not found on PATH');
  }
  const binaries = { initdb: join(bindir, 'initdb'), postgres: join(bindir, 'postgres') };
  for (const binary of Object.values(binaries)) {
    try {
      accessSync(binary, constants.X_OK);
    } catch {
      throw new PostgresNotInstalledError(`${binary} is missing`);
    }
  }
  return binaries;
}

/**
 * initdb and postgres refuse to run as root, and the tests do run as root in CI: then both run as the `postgres`
 * account Debian's package creates, in a folder that account owns.
 */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new PostgresNotInstalledError('running as root needs the `postgres` account, which this machine lacks');
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function run(binary: string, args: string[], account: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], ...account });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${binary} exited with ${code}: ${errors.trim()}`))));
  });
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 500 });
  // An error event from a client that never connected would otherwise be thrown as uncaught.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export class PostgresHarness {
  private process: ChildProcess | undefined;
  // Found before the folder is made, so that missing binaries leave nothing behind.
  private readonly binaries = serverBinaries();
  private readonly account = serverAccount();
  private readonly directory = mkdtempSync(join(tmpdir(), 'fingraph-postgres-'));

  private constructor(readonly port: number) {
    if (this.account) chownSync(this.directory, this.account.uid, this.account.gid);
  }

  static async start(): Promise<PostgresHarness> {
    const harness = new PostgresHarness(await freePort());
    try {
      await run(
        harness.binaries.initdb,
        ['-D', harness.dataDirectory, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync'],
        harness.account,
      );
      await harness.startProcess();
    } catch (error) {
      await harness.close();
      throw error;
    }
    return harness;
  }

  /** Connects as the superuser `postgres` (trust authentication, loopback only). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDirectory(): string {
    return join(this.directory, 'data');
  }

  private async startProcess(): Promise<void> {
    // After a kill, the old server's backends may hold its shared memory for a moment: a start refused for that is
    // tried again rather than reported.
    for (let launch = 0; launch < 20; launch += 1) {
      const child = spawn(
        this.binaries.postgres,
        ['-D', this.dataDirectory, '-p', String(this.port), '-k', this.directory, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
        { stdio: 'ignore', ...this.account },
      );
      this.process = child;
      for (let attempt = 0; attempt < 200 && child.exitCode === null; attempt += 1) {
        if (await accepts(this.url)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (child.exitCode === null) throw new Error(`postgres did not accept connections on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`postgres kept exiting on start on port ${this.port} (data in ${this.dataDirectory})`);
  }

  /** Kills the server outright, as a crash would: the next start runs crash recovery. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    await killAsCrash(child);
  }

  /** Starts it again on the same port over the same data: what was committed is still there. */
  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
