// One HARD inquiry per customer and purpose in a window. A bureau takes no idempotency key, so a client that retries a
// HARD pull (after a timeout, a dropped connection, a double click) would put a second hard inquiry on the consumer's
// file, and each one lowers their score. The mark is taken before the bureau is asked and kept after a success or a
// timeout (the bureau may have recorded it); it is dropped when the bureau answered that it made no pull.
import { createHash } from 'node:crypto';
import type { CacheStore } from '../../lib/cache/index.js';
import { consentStoreUnavailable } from '../../lib/errors/index.js';
import type { PermissiblePurpose } from './domain.js';

/** How long a HARD pull blocks another for the same customer and purpose. */
export const HARD_INQUIRY_WINDOW_MS = 15 * 60_000;

export class HardInquiries {
  constructor(private readonly store: CacheStore, private readonly prefix: string) {}

  private key(tenant: string, customerId: string, purpose: PermissiblePurpose): string {
    const digest = createHash('sha256').update(JSON.stringify([customerId, purpose])).digest('base64url');
    return `${this.prefix}:{${tenant}}:credit-hard-inquiry:v1:${digest}`;
  }

  /** True when no HARD pull for this customer and purpose was made in the window; the caller then makes it. */
  async claim(tenant: string, customerId: string, purpose: PermissiblePurpose): Promise<boolean> {
    try {
      return await this.store.acquireLease(this.key(tenant, customerId, purpose), HARD_INQUIRY_WINDOW_MS);
    } catch {
      throw consentStoreUnavailable();
    }
  }

  /** The bureau made no pull: the mark goes, so a retry may pull. */
  async release(tenant: string, customerId: string, purpose: PermissiblePurpose): Promise<void> {
    await this.store.releaseLease(this.key(tenant, customerId, purpose)).catch(() => undefined);
  }
}
