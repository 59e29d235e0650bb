// Runs the identity subgraph as its own process: config from the environment, tracing when configured, clean stop on
// SIGTERM.
import { loadOrExit } from '../../lib/config/env.js';
import { createLogger } from '../../lib/logging/logger.js';
import { runUntilSignal, startOrExit } from '../../lib/server/lifecycle.js';
import { startProcessTracing } from '../../lib/telemetry/tracing.js';
import { readIdentityConfig } from './config.js';
import { startIdentitySubgraph } from './server.js';

const logger = createLogger('identity');
const tracing = startProcessTracing('identity', logger);
const config = loadOrExit('identity', () => readIdentityConfig(process.env));
const server = await startOrExit('identity', () => startIdentitySubgraph(config, logger));
logger.info({ url: server.url }, 'identity subgraph listening');
runUntilSignal(tracing.stopAfter(server), logger);
