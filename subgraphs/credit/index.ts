// Runs the credit subgraph as its own process: config from the environment, tracing when configured, clean stop on
// SIGTERM.
import { loadOrExit } from '../../lib/config/env.js';
import { createLogger } from '../../lib/logging/logger.js';
import { runUntilSignal, startOrExit } from '../../lib/server/lifecycle.js';
import { startProcessTracing } from '../../lib/telemetry/tracing.js';
import { readCreditConfig } from './config.js';
import { startCreditSubgraph } from './server.js';

const logger = createLogger('credit');
const tracing = startProcessTracing('credit', logger);
const config = loadOrExit('credit', () => readCreditConfig(process.env));
const server = await startOrExit('credit', () => startCreditSubgraph(config, logger));
logger.info({ url: server.url }, 'credit subgraph listening');
runUntilSignal(tracing.stopAfter(server), logger);
