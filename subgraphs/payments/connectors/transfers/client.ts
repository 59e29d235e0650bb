// The bank-transfer provider's client (a Dwolla-like API): funding sources (the source account's holder, bank and currency,
// read before a payment so that the currency comes from the provider, not the client), transfers created with an
// Idempotency-Key (201 + Location, then read back), and cancellation.
import { z } from 'zod';
import { ORGANISATION_OWNER } from '../../../../lib/domain/accountId.js';
import { idempotencyConflict } from '../../../../lib/errors/index.js';
import type { UpstreamClient, UpstreamJsonResponse } from '../../../../lib/http/upstreamClient.js';
import type { CurrencyCode } from '../../../../lib/money/index.js';
import { currencyCodeSchema } from '../../../../lib/money/schemas.js';
import type { PaymentStatus } from '../../statusMachine.js';
import type { CounterpartyDetails } from '../../validation.js';
import { fromTransfers } from './statuses.js';

const HAL_JSON = 'application/vnd.dwolla.v1.hal+json';

const link = z.object({ href: z.string() });
const fundingSourceSchema = z.object({
  _links: z.object({ customer: link.optional(), account: link.optional() }),
  id: z.string(),
  status: z.string(),
  removed: z.boolean(),
  institutionId: z.string(),
  currency: currencyCodeSchema,
});
const transferSchema = z.object({
  id: z.string().uuid(),
  status: z.string(),
  amount: z.object({ value: z.string(), currency: z.string() }),
});

export interface FundingSource {
  readonly ownerId: string;
  readonly institutionId: string;
  readonly currency: CurrencyCode;
  readonly usable: boolean;
}

export interface TransferPayment {
  readonly id: string;
  readonly status: PaymentStatus;
}

export type TransferChannel = 'ach' | 'wire' | 'faster-payments' | 'sepa-credit';

export class TransfersConnector {
  constructor(
    private readonly http: UpstreamClient,
    private readonly apiKey: (tenant: string) => string | undefined,
  ) {}

  private headers(tenant: string): Record<string, string> {
    return { ...this.http.bearer(this.apiKey(tenant)), accept: HAL_JSON };
  }

  /** The bank account as the provider knows it; undefined when it is not one of the tenant's. */
  async fundingSource(tenant: string, accountId: string): Promise<FundingSource | undefined> {
    const response = await this.http.getJson({ path: `funding-sources/${encodeURIComponent(accountId)}`, headers: this.headers(tenant) });
    if (response.status === 404) return undefined;
    const parsed = fundingSourceSchema.safeParse(response.json);
    if (response.status !== 200 || !parsed.success) throw this.http.unusable({ status: response.status, what: 'funding source' });
    const { customer, account } = parsed.data._links;
    // A funding source belongs to a Customer, or to the platform's own Account (the organisation).
    const ownerId = customer ? decodeURIComponent(customer.href.split('/').at(-1) ?? '') : account ? ORGANISATION_OWNER : '';
    return {
      ownerId,
      institutionId: parsed.data.institutionId,
      currency: parsed.data.currency,
      usable: parsed.data.status === 'verified' && !parsed.data.removed,
    };
  }

  private transfer(response: UpstreamJsonResponse): TransferPayment {
    const parsed = transferSchema.safeParse(response.json);
    const status = parsed.success ? fromTransfers(parsed.data.status) : undefined;
    if (response.status !== 200 || !parsed.success || !status) throw this.http.unusable({ status: response.status, what: 'transfer' });
    return { id: parsed.data.id, status };
  }

  async create(
    tenant: string,
    request: {
      idempotencyKey: string;
      accountId: string;
      amount: string;
      currency: CurrencyCode;
      channel: TransferChannel;
      counterparty: CounterpartyDetails;
      reference: string | null;
      paymentId: string;
    },
  ): Promise<TransferPayment> {
    const body = {
      _links: { source: { href: this.http.hrefFor(`funding-sources/${encodeURIComponent(request.accountId)}`) } },
      amount: { value: request.amount, currency: request.currency },
      processingChannel: { destination: request.channel },
      destination: request.counterparty,
      metadata: { paymentId: request.paymentId, ...(request.reference ? { reference: request.reference } : {}) },
    };
    const response = await this.http.postJson(
      { path: 'transfers', headers: this.headers(tenant), idempotencyKey: request.idempotencyKey },
      { json: body, contentType: HAL_JSON },
    );
    if (response.status === 409) throw idempotencyConflict();
    const location = response.headers.location;
    if (response.status !== 201 || typeof location !== 'string')
      throw this.http.unusable({ status: response.status, what: 'transfer creation' });
    return this.transfer(await this.http.getJson({ path: location, headers: this.headers(tenant) }));
  }

  async retrieve(tenant: string, id: string): Promise<TransferPayment> {
    return this.transfer(await this.http.getJson({ path: `transfers/${encodeURIComponent(id)}`, headers: this.headers(tenant) }));
  }

  /** Undefined when the provider says the transfer can no longer be cancelled. */
  async cancel(tenant: string, id: string): Promise<TransferPayment | undefined> {
    const response = await this.http.postJson(
      { path: `transfers/${encodeURIComponent(id)}`, headers: this.headers(tenant) },
      { json: { status: 'cancelled' }, contentType: HAL_JSON },
    );
    if (response.status === 400) return undefined;
    return this.transfer(response);
  }
}
