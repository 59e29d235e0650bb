// Starts the sandbox alone (`npm run start:sandbox`): config from the environment, one log line with the URL, and a
// clean stop on SIGTERM/SIGINT that lets in-flight requests finish.
import { ConfigError, type Env, loadOrExit, readEnum, readOptionalString, readPort, readString } from '../lib/config/env.js';
import { createLogger } from '../lib/logging/logger.js';
import { startOrExit } from '../lib/server/lifecycle.js';
import { type ProviderId, providerIds } from './http/types.js';
import { parseDay, todayUtc } from './seed/time.js';
import { createSandbox, type SandboxOptions } from './server.js';

/** "processor=http://…/webhooks/processor,transfers=http://…": where each provider sends its webhooks. */
function readWebhookTargets(env: Env): Partial<Record<ProviderId, string>> {
  const text = readOptionalString(env, 'SANDBOX_WEBHOOK_TARGETS');
  const targets: Partial<Record<ProviderId, string>> = {};
  if (!text) return targets;
  for (const item of text.split(',')) {
    const [provider, url] = item.trim().split(/=(.*)/s) as [string, string | undefined];
    if (!(providerIds as readonly string[]).includes(provider) || !url || !/^https?:\/\//.test(url)) {
      throw new ConfigError('SANDBOX_WEBHOOK_TARGETS', 'provider=url pairs, comma-separated', text);
    }
    targets[provider as ProviderId] = url;
  }
  return targets;
}

function readConfig(env: Env): Required<Omit<SandboxOptions, 'logger' | 'consentClock'>> {
  const anchor = readOptionalString(env, 'SANDBOX_ANCHOR_DATE');
  const anchorDate = anchor === undefined ? todayUtc() : parseDay(anchor);
  if (anchorDate === undefined) throw new ConfigError('SANDBOX_ANCHOR_DATE', 'a date YYYY-MM-DD', anchor);
  return {
    port: readPort(env, 'SANDBOX_PORT', 4100),
    host: readString(env, 'SANDBOX_HOST', '127.0.0.1'),
    seed: readString(env, 'SANDBOX_SEED', 'fingraph'),
    anchorDate,
    latency: readEnum(env, 'SANDBOX_LATENCY', ['realistic', 'none'], 'realistic'),
    webhookTargets: readWebhookTargets(env),
  };
}

const config = loadOrExit('sandbox', () => readConfig(process.env));
const logger = createLogger('sandbox');
const sandbox = await startOrExit('sandbox', () => createSandbox({ ...config, logger }));
logger.info({ url: sandbox.url, seed: config.seed, anchorDate: config.anchorDate, latency: config.latency }, 'sandbox listening');

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'sandbox stopping');
  sandbox.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'sandbox did not close cleanly');
      process.exit(1);
    },
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
