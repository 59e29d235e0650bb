// Runs the accounts subgraph as its own process: config from the environment, clean stop on SIGTERM.
import { loadOrExit } from '../../lib/config/env.js';
import { createLogger } from '../../lib/logging/logger.js';
import { runUntilSignal, startOrExit } from '../../lib/server/lifecycle.js';
import { readAccountsConfig } from './config.js';
import { startAccountsSubgraph } from './server.js';

const logger = createLogger('accounts');
const config = loadOrExit('accounts', () => readAccountsConfig(process.env));
const server = await startOrExit('accounts', () => startAccountsSubgraph(config, logger));
logger.info({ url: server.url }, 'accounts subgraph listening');
runUntilSignal(server, logger);
