// Process lifecycle for a service run on its own: a start that cannot take its address says so in one line and exits
// 1 (not a stack trace); on SIGTERM or SIGINT, stop taking requests, let in-flight ones finish, close connections,
// exit 0. A second signal exits at once.
import type { Logger } from '../logging/logger.js';

export interface Stoppable {
  close(): Promise<void>;
}

export function runUntilSignal(server: Stoppable, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping');
    server.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: String(error) }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Why a listen failed, in words, for the system errors a person can fix (another process on the port, a privileged port). */
const listenFailures: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'the address is not available on this machine',
};

/**
 * Runs a service's start; when it fails because its address cannot be listened on, writes one line naming the
 * service, the address and the reason to stderr and exits 1. Any other failure is unexpected and propagates as is.
 */
export async function startOrExit<T>(service: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const { code, address, port } = error as { code?: unknown; address?: unknown; port?: unknown };
    const reason = typeof code === 'string' ? listenFailures[code] : undefined;
    if (reason === undefined) throw error;
    const where = typeof address === 'string' && typeof port === 'number' ? ` on ${address}:${port}` : '';
    process.stderr.write(`${service}: cannot listen${where}: ${reason} (${code as string})\n`);
    process.exit(1);
  }
}
