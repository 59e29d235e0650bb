// The customers' consents to credit pulls that need one (WRITTEN_INSTRUCTION, EMPLOYMENT), per tenant, customer and
// purpose, each with its expiry. Kept on a record store that never evicts (lib/records): Redis when the service has
// one (every replica sees a grant at once, and the key expires with the consent); without Redis (`npm start` on one
// machine) in this process's memory, lost on restart but never dropped to make room.
// Keys carry the tenant in a Redis Cluster hash tag and hash the customer id, as the cache's keys do. A store that
// cannot be read fails closed: no consent is assumed.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { consentStoreUnavailable } from '../../lib/errors/index.js';
import type { RecordStore } from '../../lib/records/index.js';
import type { PermissiblePurpose } from './domain.js';

export interface ConsentRecord {
  readonly purpose: PermissiblePurpose;
  /** ISO 8601. */
  readonly grantedAt: string;
  readonly expiresAt: string;
  /** The stand-alone disclosure the customer accepted (EMPLOYMENT), kept for the audit trail. */
  readonly disclosureId: string | null;
}

const stored = z.object({
  purpose: z.string(),
  grantedAt: z.string(),
  expiresAt: z.string(),
  disclosureId: z.string().nullable(),
});

export class ConsentStore {
  constructor(
    private readonly store: RecordStore,
    private readonly prefix: string,
  ) {}

  private key(tenant: string, customerId: string, purpose: PermissiblePurpose): string {
    const digest = createHash('sha256')
      .update(JSON.stringify([customerId, purpose]))
      .digest('base64url');
    return `${this.prefix}:{${tenant}}:credit-consent:v1:${digest}`;
  }

  async grant(tenant: string, customerId: string, record: ConsentRecord): Promise<void> {
    const ttlMs = Date.parse(record.expiresAt) - Date.now();
    if (!(ttlMs > 0)) return; // already expired: nothing to keep
    try {
      await this.store.put(this.key(tenant, customerId, record.purpose), JSON.stringify(record), ttlMs);
    } catch {
      throw consentStoreUnavailable();
    }
  }

  /** The consent on record and not expired, or undefined. */
  async find(tenant: string, customerId: string, purpose: PermissiblePurpose, now = Date.now()): Promise<ConsentRecord | undefined> {
    let text: string | undefined;
    try {
      text = await this.store.get(this.key(tenant, customerId, purpose));
    } catch {
      throw consentStoreUnavailable();
    }
    if (!text) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined; // an unreadable record is no consent
    }
    const parsed = stored.safeParse(json);
    if (!parsed.success || parsed.data.purpose !== purpose || Date.parse(parsed.data.expiresAt) <= now) return undefined;
    return { ...parsed.data, purpose };
  }

  async revoke(tenant: string, customerId: string, purpose: PermissiblePurpose): Promise<boolean> {
    try {
      return await this.store.delete(this.key(tenant, customerId, purpose));
    } catch {
      throw consentStoreUnavailable();
    }
  }

  ready(timeoutMs: number): Promise<boolean> {
    return this.store.ready(timeoutMs);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
