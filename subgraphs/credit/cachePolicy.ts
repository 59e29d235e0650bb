// What the credit subgraph caches: only scores. A score moves slowly (the bureau's files are updated monthly by
// furnishers), so it is held for hours; it is personal data, so it is encrypted at rest. Full reports are never cached:
// each pull is made for one principal and one purpose, is audited, and a HARD one is an event at the bureau.
import type { CachePolicy } from '../../lib/cache/index.js';

export const creditCachePolicy = {
  /** Keyed by tenant, customer and model, not by principal: the same score serves staff and the customer alike. */
  creditScore: { namespace: 'credit-score', version: 1, freshSeconds: 6 * 3600, staleSeconds: 24 * 3600, sensitive: true },
} as const satisfies Record<string, CachePolicy>;
