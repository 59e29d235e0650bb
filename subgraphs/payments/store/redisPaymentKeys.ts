// Where the payment store keeps each thing in Redis, and which keys each Lua script touches. A tenant's payments share
// the tenant's hash tag, so every script (all single-tenant) touches one Cluster slot and tenants spread over the
// slots. The provider-id map and the webhook event ids are read before the tenant is known (a webhook names only the
// provider's ids), so each is tagged by its own provider id: one key per slot, written alone, spread over the cluster.
import { createHash } from 'node:crypto';
import type { Payment, ProviderId } from '../domain.js';

/** A fixed-length digest of an id: keys never hold a customer's or a provider's id in clear, nor a brace. */
export const hashed = (value: string): string => createHash('sha256').update(value).digest('base64url').slice(0, 32);

export class PaymentKeys {
  constructor(private readonly prefix: string) {}

  private tenantKey(tenant: string, ...parts: string[]): string {
    return `${this.prefix}:{${tenant}}:pay:${parts.join(':')}`;
  }

  /** The idempotency record: the claim, complete and release scripts' one key. */
  idempotency(tenant: string, keyHash: string): string {
    return this.tenantKey(tenant, 'idem', keyHash);
  }

  record(tenant: string, id: string): string {
    return this.tenantKey(tenant, 'p', id);
  }

  history(tenant: string, id: string): string {
    return this.tenantKey(tenant, 'h', id);
  }

  listing(tenant: string, kind: 'owner' | 'account', id: string): string {
    return this.tenantKey(tenant, kind, hashed(id));
  }

  /** The save script's keys, in its KEYS order: record, history, the holder's and the account's listings. */
  save(payment: Pick<Payment, 'tenant' | 'id' | 'ownerId' | 'sourceAccountId'>): [string, string, string, string] {
    return [
      this.record(payment.tenant, payment.id),
      this.history(payment.tenant, payment.id),
      this.listing(payment.tenant, 'owner', payment.ownerId),
      this.listing(payment.tenant, 'account', payment.sourceAccountId),
    ];
  }

  /** The transition script's keys: record, history. */
  transition(tenant: string, id: string): [string, string] {
    return [this.record(tenant, id), this.history(tenant, id)];
  }

  /** The provider-id map: "<tenant> <payment id>" under the provider's id. */
  upstream(provider: ProviderId, upstreamId: string): string {
    return `${this.prefix}:{${provider}:${hashed(upstreamId)}}:pay:upstream`;
  }

  /** The map as it was kept before the per-payment tag, all in one slot; read only, so older payments are still found. */
  legacyUpstream(provider: ProviderId, upstreamId: string): string {
    return `${this.prefix}:{payments}:upstream:${provider}:${upstreamId}`;
  }

  /** A webhook event id already seen. */
  event(provider: ProviderId, eventId: string): string {
    return `${this.prefix}:{${provider}:${hashed(eventId)}}:pay:event`;
  }
}
