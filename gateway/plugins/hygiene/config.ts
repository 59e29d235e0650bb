// Reads the request-hygiene options from the environment; a value out of range or an origin that is not one stops
// the gateway at start-up.
import { ConfigError, type Env, readInt, readOptionalString } from '../../../lib/config/env.js';
import { defaultHygiene, type HygieneOptions } from './options.js';

const originExpected = 'comma-separated origins such as https://app.example.com (scheme, host and port; no path, no * and no null)';

/** Each entry must be exactly an origin as a browser sends it in `Origin`, or it would never match (or match too much). */
function readOrigins(env: Env): string[] {
  const value = readOptionalString(env, 'CORS_ORIGINS');
  if (value === undefined) return [...defaultHygiene.corsOrigins];
  const origins = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError('CORS_ORIGINS', originExpected, value);
    }
    if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.origin !== origin) {
      throw new ConfigError('CORS_ORIGINS', originExpected, value);
    }
  }
  return origins;
}

export function readHygieneOptions(env: Env): HygieneOptions {
  return {
    corsOrigins: readOrigins(env),
    maxBatchSize: readInt(env, 'GATEWAY_MAX_BATCH_SIZE', defaultHygiene.maxBatchSize, { min: 0, max: 100 }),
    maxBodyBytes: readInt(env, 'GATEWAY_MAX_BODY_BYTES', defaultHygiene.maxBodyBytes, { min: 1024, max: 64 * 1024 * 1024 }),
  };
}
