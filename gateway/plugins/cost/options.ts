// The cost plugin's options and how the gateway reads them from its environment (COST_MAX_PER_OPERATION,
// COST_PLAN_MAXIMA), so gateway/config.ts needs one line for the whole concern.
import { ConfigError, type Env, readInt, readOptionalString } from '../../../lib/config/env.js';
import type { Logger } from '../../../lib/logging/logger.js';
import type { CostRules } from './rules.js';

/**
 * Default maximum estimated cost of one operation: about twenty times the contract's largest operation
 * (CustomerOverview, 458), room for staff views of 40 customers' balances (5,681) or the cash position drilled down to
 * every account's balance (6,070), and a fifteenth of 50 customers' 100 newest transactions (156,101).
 */
export const DEFAULT_MAX_COST = 10_000;
/** Bounds of any configured maximum; the upper one keeps a typo from switching the limit off. */
export const MAX_COST_RANGE = { min: 1, max: 1_000_000 } as const;

/** Where an operation's maximum comes from: the token's `plan` claim, looked up in `planMaxima`, else `maxPerOperation`. */
export interface CostLimits {
  /** Most estimated cost units one operation may have when the token names no plan, or one not listed; default 10 000. */
  readonly maxPerOperation: number;
  /** Maximum per plan name (the token's `plan` claim); default none. */
  readonly planMaxima: ReadonlyMap<string, number>;
}

export interface CostOptions extends CostLimits {
  /** The @cost and @listSize rules read from the supergraph (gateway/supergraph.ts). */
  readonly rules: CostRules;
  readonly logger: Logger;
}

const planName = /^[a-z][a-z0-9_-]{0,62}$/;

/** `plan=max,…`, such as `free=1000,business=20000`. */
function readPlanMaxima(env: Env): Map<string, number> {
  const raw = readOptionalString(env, 'COST_PLAN_MAXIMA');
  const maxima = new Map<string, number>();
  if (raw === undefined) return maxima;
  const expected = `plan=max pairs, comma-separated (plan: lowercase letters, digits, - and _; max: an integer from ${MAX_COST_RANGE.min} to ${MAX_COST_RANGE.max})`;
  for (const entry of raw.split(',').map((part) => part.trim())) {
    const [plan, max, ...rest] = entry.split('=').map((part) => part.trim());
    const value = Number(max);
    if (!plan || !planName.test(plan) || !max || !/^\d+$/.test(max) || rest.length > 0 || maxima.has(plan)) {
      throw new ConfigError('COST_PLAN_MAXIMA', expected, raw);
    }
    if (value < MAX_COST_RANGE.min || value > MAX_COST_RANGE.max) throw new ConfigError('COST_PLAN_MAXIMA', expected, raw);
    maxima.set(plan, value);
  }
  return maxima;
}

export function readCostLimits(env: Env): CostLimits {
  return {
    maxPerOperation: readInt(env, 'COST_MAX_PER_OPERATION', DEFAULT_MAX_COST, MAX_COST_RANGE),
    planMaxima: readPlanMaxima(env),
  };
}
