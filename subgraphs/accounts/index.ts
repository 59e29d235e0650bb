// Runs the accounts subgraph as its own process: config from the environment, tracing when configured, clean stop on
// SIGTERM.
import { loadOrExit } from '../../lib/config/env.js';
import { createLogger } from '../../lib/logging/logger.js';
import { runUntilSignal, startOrExit } from '../../lib/server/lifecycle.js';
import { startProcessTracing } from '../../lib/telemetry/tracing.js';
import { readAccountsConfig } from './config.js';
import { startAccountsSubgraph } from './server.js';

const logger = createLogger('accounts');
const tracing = startProcessTracing('accounts', logger);
const config = loadOrExit('accounts', () => readAccountsConfig(process.env));
const server = await startOrExit('accounts', () => startAccountsSubgraph(config, logger));
logger.info({ url: server.url }, 'accounts subgraph listening');
runUntilSignal(tracing.stopAfter(server), logger);
