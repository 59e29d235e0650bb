// Reads the rate limiter's settings from the environment (RATE_LIMIT_*, GATEWAY_REPLICAS), each validated: a wrong
// value stops the gateway with a message naming the variable and what it expects, like every other setting.
import { ConfigError, type Env, readBoolean, readInt, readOptionalString, readString } from '../../../lib/config/env.js';
import { isDevelopment } from '../../../lib/config/mode.js';
import type { Rate, RateLimitOptions } from './options.js';

/**
 * Defaults, in cost units (1 per operation until demand control prices operations; see README "Rate limits").
 * A tenant sustains 100 units a second with a burst of 1,000; each of its clients half of that, so one runaway client
 * leaves the tenant's other clients room. Unauthenticated callers get 5 a second per IP (burst 50): enough to retry a
 * token, too little to probe. Money movement and bureau pulls are 10 a minute per principal (burst 5): a person or a
 * batch job moving money or pulling files faster than that is an incident, and each pull costs the tenant money.
 */
export const defaultPlans = 'default=1000/1:20000';
export const defaultIpRate = '5/1:50';
export const defaultPaymentsRate = '10/60:5';
export const defaultCreditReportsRate = '10/60:5';

const rateSyntax = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/;
const planName = /^[a-z][a-z0-9_-]{0,31}$/;

function parseRate(variable: string, text: string, shown: string): Rate {
  const match = rateSyntax.exec(text.trim());
  const expected = '<units>/<seconds>:<burst>, positive numbers with a burst of at least 1 (e.g. 100/1:1000)';
  if (!match) throw new ConfigError(variable, expected, shown);
  const [units, periodSeconds, burst] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!(units > 0) || !(periodSeconds > 0) || !(burst >= 1) || periodSeconds > 86_400) throw new ConfigError(variable, expected, shown);
  return { units, periodSeconds, burst };
}

export function readRate(env: Env, variable: string, fallback: string): Rate {
  const text = readString(env, variable, fallback);
  return parseRate(variable, text, text);
}

export function readPlans(env: Env): ReadonlyMap<string, Rate> {
  const text = readString(env, 'RATE_LIMIT_PLANS', defaultPlans);
  const plans = new Map<string, Rate>();
  for (const entry of text.split(',')) {
    const [name, rate, ...rest] = entry.trim().split('=');
    if (name === undefined || rate === undefined || rest.length > 0 || !planName.test(name) || plans.has(name)) {
      throw new ConfigError('RATE_LIMIT_PLANS', 'comma-separated <plan>=<units>/<seconds>:<burst>, each plan once', text);
    }
    plans.set(name, parseRate('RATE_LIMIT_PLANS', rate, text));
  }
  if (!plans.has('default')) throw new ConfigError('RATE_LIMIT_PLANS', 'a `default` plan among the plans', text);
  return plans;
}

function readShare(env: Env): number {
  const text = readOptionalString(env, 'RATE_LIMIT_CLIENT_SHARE');
  if (text === undefined) return 0.5;
  const share = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(share > 0) || share > 1)
    throw new ConfigError('RATE_LIMIT_CLIENT_SHARE', 'a number in (0, 1]', text);
  return share;
}

/** Off only in development (benchmarks compare with and without): anywhere else `false` stops the gateway. */
function readEnabled(env: Env): boolean {
  const enabled = readBoolean(env, 'RATE_LIMIT_ENABLED', true);
  if (!enabled && !isDevelopment(env)) {
    throw new ConfigError('RATE_LIMIT_ENABLED', 'true or nothing outside development (false is for benchmarks)', 'false');
  }
  return enabled;
}

export function readRateLimitOptions(env: Env): RateLimitOptions {
  return {
    enabled: readEnabled(env),
    plans: readPlans(env),
    clientShare: readShare(env),
    ip: readRate(env, 'RATE_LIMIT_IP', defaultIpRate),
    payments: readRate(env, 'RATE_LIMIT_PAYMENTS', defaultPaymentsRate),
    creditReports: readRate(env, 'RATE_LIMIT_CREDIT_REPORTS', defaultCreditReportsRate),
    replicas: readInt(env, 'GATEWAY_REPLICAS', 1, { min: 1, max: 1000 }),
    trustedProxyHops: readInt(env, 'RATE_LIMIT_TRUSTED_PROXY_HOPS', 0, { min: 0, max: 10 }),
    redisTimeoutMs: readInt(env, 'RATE_LIMIT_REDIS_TIMEOUT_MS', 100, { min: 10, max: 5000 }),
  };
}
