// Builds every key the cache writes. Each key starts with the tenant inside a Redis Cluster hash tag, so one tenant's
// keys share a slot (one MGET or Lua script covers them) and no key two tenants could share can be built. Parts and
// principal are hashed: no account number or personal datum appears in a key in clear.
import { createHash } from 'node:crypto';

/** The global part of every key: a prefix, and a version whose bump empties the whole cache without a flush. */
export interface KeySpace {
  readonly prefix: string;
  readonly version: string;
}

export interface CacheScope {
  /** The tenant every key is scoped by; lowercase letters, digits and dashes, 2 to 63 long, starting with a letter. */
  readonly tenant: string;
  /** Set for data private to one principal: it then becomes part of the key. */
  readonly principal?: string | undefined;
}

export type KeyPart = string | number | boolean | null;

export const tenantPattern = /^[a-z][a-z0-9-]{1,62}$/;
const prefixPattern = /^[a-z][a-z0-9-]{0,31}$/;
const versionPattern = /^[A-Za-z0-9-]{1,32}$/;

export class CacheKeyError extends TypeError {
  constructor(what: string, expected: string, received: unknown) {
    // The received value is named only when it is a tenant, prefix or version, never a key part.
    super(`cache ${what}: expected ${expected}, got ${describe(received)}`);
    this.name = 'CacheKeyError';
  }
}

function describe(received: unknown): string {
  return typeof received === 'string' ? JSON.stringify(received.slice(0, 70)) : typeof received;
}

export function getValidKeySpace(space: KeySpace): KeySpace {
  if (typeof space.prefix !== 'string' || !prefixPattern.test(space.prefix)) {
    throw new CacheKeyError('prefix', `a string matching ${prefixPattern}`, space.prefix);
  }
  if (typeof space.version !== 'string' || !versionPattern.test(space.version)) {
    throw new CacheKeyError('version', `a string matching ${versionPattern}`, space.version);
  }
  return space;
}

export function getValidTenant(tenant: unknown): string {
  if (typeof tenant !== 'string' || !tenantPattern.test(tenant)) {
    throw new CacheKeyError('tenant', `a string matching ${tenantPattern}`, tenant);
  }
  return tenant;
}

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}

function checkedParts(parts: readonly KeyPart[]): readonly KeyPart[] {
  if (!Array.isArray(parts)) throw new CacheKeyError('key', 'an array of parts', parts);
  parts.forEach((part, index) => {
    const ok =
      part === null || typeof part === 'string' || typeof part === 'boolean' || (typeof part === 'number' && Number.isFinite(part));
    // NaN and Infinity would serialise as null and collide with it, objects by their key order: refused.
    if (!ok) throw new CacheKeyError(`key part ${index}`, 'a string, finite number, boolean or null', typeof part);
  });
  return parts;
}

/** `<prefix>:{<tenant>}:<namespace>:v<global version>.<policy version>:<base64url sha256 of [principal, ...parts]>` */
export function entryKey(space: KeySpace, scope: CacheScope, namespace: string, policyVersion: number, parts: readonly KeyPart[]): string {
  const tenant = getValidTenant(scope.tenant);
  if (scope.principal !== undefined && typeof scope.principal !== 'string') {
    throw new CacheKeyError('principal', 'a string or undefined', typeof scope.principal);
  }
  const hash = digest(JSON.stringify([scope.principal ?? '', ...checkedParts(parts)]));
  return `${space.prefix}:{${tenant}}:${namespace}:v${space.version}.${policyVersion}:${hash}`;
}

/** The set of keys carrying one tag, per tenant (`_tag` cannot be a namespace, which starts with a letter). */
export function tagKey(space: KeySpace, tenant: string, tag: string): string {
  if (typeof tag !== 'string' || tag === '') throw new CacheKeyError('tag', 'a non-empty string', typeof tag);
  return `${space.prefix}:{${getValidTenant(tenant)}}:_tag:v${space.version}:${digest(tag)}`;
}

/** The stampede lease for one entry: same slot as the entry. */
export function leaseKey(key: string): string {
  return `${key}:lease`;
}

/** The pub/sub channel on which replicas tell each other which tags to drop from their first level. */
export function invalidationChannel(space: KeySpace): string {
  return `${space.prefix}:invalidations`;
}

/** The Redis Cluster hash tag of a key (the text inside its first `{…}`), which decides its slot. */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}
