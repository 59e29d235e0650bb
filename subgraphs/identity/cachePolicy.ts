// What the identity subgraph caches, for how long, and whether it is encrypted at rest (see lib/cache). Namespaces
// are the identity subgraph's own, so a shared Redis never mixes them with another subgraph's entries.
import type { CachePolicy } from '../../lib/cache/index.js';

export const identityCachePolicy = {
  /** Directory records: name, e-mail and the KYC applicant link. Change rarely. */
  profiles: { namespace: 'identity-profiles', version: 1, freshSeconds: 300, staleSeconds: 3600, sensitive: true },
  /** The applicant's personal data (date of birth, tax id, address, phone): encrypted at rest. */
  personalData: { namespace: 'identity-personal', version: 1, freshSeconds: 300, staleSeconds: 3600, sensitive: true },
  /** KYC status: short, and dropped at once by a signed check.completed webhook. */
  kyc: { namespace: 'identity-kyc', version: 1, freshSeconds: 30, staleSeconds: 300, sensitive: true },
  /** Screening results change with the list, published at most daily; an hour keeps a new designation close. */
  sanctions: { namespace: 'identity-sanctions', version: 1, freshSeconds: 3600, staleSeconds: 21_600, sensitive: true },
} as const satisfies Record<string, CachePolicy>;
