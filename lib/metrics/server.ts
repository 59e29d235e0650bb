// The metrics listener: GET /metrics in Prometheus's text format on its own port, apart from the public API (whose
// edge answers 404 at /metrics), bound to 127.0.0.1 unless configured, so only the host's scraper reaches it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging/logger.js';

export interface MetricsListener {
  /** The URL of GET /metrics. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsListener(options: {
  readonly registry: Registry;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
}): Promise<MetricsListener> {
  const { registry, logger } = options;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || request.method !== 'GET') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, 'metrics scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('scrape failed\n');
      },
    );
  });
  // A scraper's connection carries nothing else: no reason to keep one open past a stop.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  logger.info({ host: options.host, port }, 'metrics listening');
  return {
    url: `http://${host}:${port}/metrics`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
