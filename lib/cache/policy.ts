// What a connector declares about one kind of cached data (namespace, version, freshness, sensitivity), and the checks
// that turn a mistyped policy into a clear error at the first read rather than a silently uncached or unbounded entry.

export interface CachePolicy {
  /** Names the kind of data in keys and metrics: lowercase letters, digits and dashes, starting with a letter. */
  readonly namespace: string;
  /** Bump when the shape or meaning of the cached value changes: older entries are never read again. */
  readonly version: number;
  /** How long an entry is served without asking the upstream. Fractions of a second are allowed. */
  readonly freshSeconds: number;
  /** After freshness: served at once while a refresh runs, and served when the upstream fails (the grace window). */
  readonly staleSeconds: number;
  /** The value holds personal data, account numbers or tokens: stored AES-256-GCM encrypted. */
  readonly sensitive: boolean;
}

export const namespacePattern = /^[a-z][a-z0-9-]{0,62}$/;

export class CachePolicyError extends TypeError {
  constructor(field: string, expected: string, received: unknown) {
    super(`cache policy ${field}: expected ${expected}, got ${JSON.stringify(received) ?? String(received)}`);
    this.name = 'CachePolicyError';
  }
}

/** Durations of a validated policy, in milliseconds. */
export interface PolicyDurations {
  readonly freshMs: number;
  readonly staleMs: number;
}

export function getValidPolicy(policy: CachePolicy): PolicyDurations {
  if (typeof policy.namespace !== 'string' || !namespacePattern.test(policy.namespace)) {
    throw new CachePolicyError('namespace', `a string matching ${namespacePattern}`, policy.namespace);
  }
  if (!Number.isSafeInteger(policy.version) || policy.version < 0) {
    throw new CachePolicyError('version', 'a non-negative integer', policy.version);
  }
  if (typeof policy.freshSeconds !== 'number' || !Number.isFinite(policy.freshSeconds) || policy.freshSeconds <= 0) {
    throw new CachePolicyError('freshSeconds', 'a finite number above 0', policy.freshSeconds);
  }
  if (typeof policy.staleSeconds !== 'number' || !Number.isFinite(policy.staleSeconds) || policy.staleSeconds < 0) {
    throw new CachePolicyError('staleSeconds', 'a finite number of at least 0', policy.staleSeconds);
  }
  if (typeof policy.sensitive !== 'boolean') {
    throw new CachePolicyError('sensitive', 'true or false', policy.sensitive);
  }
  return { freshMs: Math.ceil(policy.freshSeconds * 1000), staleMs: Math.ceil(policy.staleSeconds * 1000) };
}
