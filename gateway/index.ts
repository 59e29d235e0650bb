// Runs the gateway as its own process: config from the environment, clean stop on SIGTERM.
import { loadOrExit } from '../lib/config/env.js';
import { createLogger } from '../lib/logging/logger.js';
import { runUntilSignal, startOrExit } from '../lib/server/lifecycle.js';
import { readGatewayConfig } from './config.js';
import { startGateway } from './server.js';

const logger = createLogger('gateway');
const config = loadOrExit('gateway', () => readGatewayConfig(process.env));
const server = await startOrExit('gateway', () => startGateway(config, logger));
logger.info({ url: server.url }, 'gateway listening');
runUntilSignal(server, logger);
