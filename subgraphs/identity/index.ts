// Runs the identity subgraph as its own process: config from the environment, clean stop on SIGTERM.
import { loadOrExit } from '../../lib/config/env.js';
import { createLogger } from '../../lib/logging/logger.js';
import { runUntilSignal, startOrExit } from '../../lib/server/lifecycle.js';
import { readIdentityConfig } from './config.js';
import { startIdentitySubgraph } from './server.js';

const logger = createLogger('identity');
const config = loadOrExit('identity', () => readIdentityConfig(process.env));
const server = await startOrExit('identity', () => startIdentitySubgraph(config, logger));
logger.info({ url: server.url }, 'identity subgraph listening');
runUntilSignal(server, logger);
