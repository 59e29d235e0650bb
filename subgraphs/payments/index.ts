// Runs the payments subgraph as its own process: config from the environment, tracing when configured, clean stop on
// SIGTERM.
import { loadOrExit } from '../../lib/config/env.js';
import { createLogger } from '../../lib/logging/logger.js';
import { runUntilSignal, startOrExit } from '../../lib/server/lifecycle.js';
import { startProcessTracing } from '../../lib/telemetry/tracing.js';
import { readPaymentsConfig } from './config.js';
import { startPaymentsSubgraph } from './server.js';

const logger = createLogger('payments');
const tracing = startProcessTracing('payments', logger);
const config = loadOrExit('payments', () => readPaymentsConfig(process.env));
const server = await startOrExit('payments', () => startPaymentsSubgraph(config, logger));
logger.info({ url: server.url }, 'payments subgraph listening');
runUntilSignal(tracing.stopAfter(server), logger);
