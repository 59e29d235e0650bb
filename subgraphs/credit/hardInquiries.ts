// One HARD inquiry per customer and purpose in a window. A bureau takes no idempotency key, so a client that retries a
// HARD pull (after a timeout, a dropped connection, a double click) would put a second hard inquiry on the consumer's
// file, and each one lowers their score. The mark is taken before the bureau is asked and kept after a success or a
// timeout (the bureau may have recorded it); it is dropped when the bureau answered that it made no pull. Marks live on
// a record store that never evicts (lib/records): an evicted mark would let a retry pull twice.
import { createHash, randomBytes } from 'node:crypto';
import { consentStoreUnavailable } from '../../lib/errors/index.js';
import type { RecordStore } from '../../lib/records/index.js';
import type { PermissiblePurpose } from './domain.js';

/** How long a HARD pull blocks another for the same customer and purpose. */
export const HARD_INQUIRY_WINDOW_MS = 15 * 60_000;

export class HardInquiries {
  /**
   * The token of each mark this process took, so that it drops only its own (never one another replica took since).
   * A kept mark is never released, so its token is forgotten once the window is over (swept at most once a minute).
   */
  private readonly tokens = new Map<string, { readonly token: string; readonly until: number }>();
  private nextSweep = 0;

  constructor(
    private readonly store: RecordStore,
    private readonly prefix: string,
    private readonly clock: () => number = Date.now,
  ) {}

  private key(tenant: string, customerId: string, purpose: PermissiblePurpose): string {
    const digest = createHash('sha256')
      .update(JSON.stringify([customerId, purpose]))
      .digest('base64url');
    return `${this.prefix}:{${tenant}}:credit-hard-inquiry:v1:${digest}`;
  }

  /** True when no HARD pull for this customer and purpose was made in the window; the caller then makes it. */
  async claim(tenant: string, customerId: string, purpose: PermissiblePurpose): Promise<boolean> {
    const key = this.key(tenant, customerId, purpose);
    const token = randomBytes(12).toString('base64url');
    try {
      if (!(await this.store.putIfAbsent(key, token, HARD_INQUIRY_WINDOW_MS))) return false;
      const now = this.clock();
      if (now >= this.nextSweep) {
        for (const [held, entry] of this.tokens) if (entry.until <= now) this.tokens.delete(held);
        this.nextSweep = now + 60_000;
      }
      this.tokens.set(key, { token, until: now + HARD_INQUIRY_WINDOW_MS });
      return true;
    } catch {
      throw consentStoreUnavailable();
    }
  }

  /** The bureau made no pull: the mark goes, so a retry may pull. */
  async release(tenant: string, customerId: string, purpose: PermissiblePurpose): Promise<void> {
    const key = this.key(tenant, customerId, purpose);
    const held = this.tokens.get(key);
    this.tokens.delete(key);
    if (held !== undefined) await this.store.deleteIfValue(key, held.token).catch(() => undefined);
  }
}
