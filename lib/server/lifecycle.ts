// Process lifecycle for a service run on its own: on SIGTERM or SIGINT, stop taking requests, let in-flight ones
// finish, close connections, exit 0. A second signal exits at once.
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
      () => { logger.info('stopped'); process.exit(0); },
      (error: unknown) => { logger.error({ err: String(error) }, 'stop failed'); process.exit(1); },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
