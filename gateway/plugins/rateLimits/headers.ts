// The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` names each budget the
// request drew on with its quota `q` (the burst, in cost units) and window `w` (seconds to refill all of it at the
// sustained rate), and `RateLimit` what is left of each: `r` units, full again in `t` seconds. A refusal adds
// `Retry-After` (seconds) for the budget that refused it. Both are Structured Fields lists of strings with parameters.
import type { BudgetState } from './store.js';

function windowSeconds(state: BudgetState): number {
  const { units, periodSeconds, burst } = state.rate;
  return Math.max(1, Math.ceil((burst * periodSeconds) / units));
}

export function rateLimitHeaders(states: readonly BudgetState[]): Record<string, string> {
  if (states.length === 0) return {};
  const headers: Record<string, string> = {
    'ratelimit-policy': states.map((state) => `"${state.policy}";q=${Math.floor(state.rate.burst)};w=${windowSeconds(state)}`).join(', '),
    ratelimit: states.map((state) => `"${state.policy}";r=${state.remaining};t=${state.resetSeconds}`).join(', '),
  };
  const refused = states.filter((state) => !state.allowed);
  if (refused.length > 0) headers['retry-after'] = String(Math.max(...refused.map((state) => state.retryAfterSeconds)));
  return headers;
}
