// Runs the gateway as its own process: config from the environment, tracing when configured, clean stop on SIGTERM.
import { loadOrExit } from '../lib/config/env.js';
import { createLogger } from '../lib/logging/logger.js';
import { runUntilSignal, startOrExit } from '../lib/server/lifecycle.js';
import { startProcessTracing } from '../lib/telemetry/tracing.js';
import { readGatewayConfig } from './config.js';
import { ManifestError } from './plugins/trustedDocuments/manifest.js';
import { startGateway } from './server.js';
import { SupergraphSecurityError } from './supergraph.js';

const logger = createLogger('gateway');
const tracing = startProcessTracing('gateway', logger);
const config = loadOrExit('gateway', () => readGatewayConfig(process.env));
const server = await startOrExit('gateway', () => startGateway(config, logger)).catch((error: unknown) => {
  // A refused supergraph is a fault of what the gateway was given to serve, as a missing setting is: one line naming
  // every offending field (or what is wrong with the trusted-documents manifest), exit code 78 (EX_CONFIG), and no stack trace to bury the message.
  if (error instanceof SupergraphSecurityError || error instanceof ManifestError) {
    process.stderr.write(`gateway: ${error.message}\n`);
    process.exit(78);
  }
  throw error;
});
logger.info({ url: server.url }, 'gateway listening');
runUntilSignal(tracing.stopAfter(server), logger);
