// What every harness of a real server (redis-server, a Redis Cluster or Sentinel, PostgreSQL) needs: the executable
// found on PATH without running it, and a stop that kills the child outright, as a crash would, and waits for its exit.
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The executable `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** SIGKILL, then the exit; nothing to do for a child that is gone or never started. */
export function killAsCrash(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    if (!child.kill('SIGKILL')) resolve();
  });
}
