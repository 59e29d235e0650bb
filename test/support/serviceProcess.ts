// One FinGraph service run as its own process, as it is deployed: a compiled entry point started with an environment
// the test controls entirely (nothing of the test runner's own environment leaks in but PATH), its output kept for
// assertions, its health awaited, and a SIGTERM stop whose exit code the test can check.
import { type ChildProcess, spawn } from 'node:child_process';
import { fromRoot } from '../../lib/config/paths.js';

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when GET url answers 200; rejects, with its output, if it exits first or is not healthy in time. */
  healthy(url: string): Promise<void>;
  /** Resolves with its exit code (or signal) once it has exited. */
  exited(): Promise<number | string>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<number | string>;
}

export interface ServiceOptions {
  /** Node options placed before the entry, such as `--import` of a preload. */
  readonly nodeArgs?: readonly string[];
}

/** `entry` is relative to dist/, such as `gateway/index.js`. */
export function startService(
  name: string,
  entry: string,
  env: Readonly<Record<string, string | undefined>>,
  options: ServiceOptions = {},
): ServiceProcess {
  const clean = Object.fromEntries(Object.entries({ PATH: process.env.PATH, ...env }).filter(([, value]) => value !== undefined));
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), fromRoot('dist', entry)], {
    env: clean,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exit = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    name,
    child,
    output: () => text,
    exited: () => exit,
    async healthy(url) {
      for (let attempt = 0; attempt < 300; attempt += 1) {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${text}`);
        try {
          if ((await fetch(url)).ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`${name} not healthy at ${url}:\n${text}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}
