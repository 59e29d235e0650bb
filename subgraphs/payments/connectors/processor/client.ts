// The card processor's client (Stripe's PaymentIntents wire format): create with a form-encoded body and an
// Idempotency-Key, retrieve, cancel. Payloads are validated with zod into what the payments domain needs.
import { z } from 'zod';
import { idempotencyConflict } from '../../../../lib/errors/index.js';
import type { UpstreamClient, UpstreamJsonResponse } from '../../../../lib/http/upstreamClient.js';
import type { CurrencyCode } from '../../../../lib/money/index.js';
import type { PaymentStatus } from '../../statusMachine.js';
import { fromProcessor } from './statuses.js';

const intentSchema = z.object({
  id: z.string().regex(/^pi_[A-Za-z0-9]{1,64}$/),
  object: z.literal('payment_intent'),
  amount: z.number().int().positive(),
  currency: z.string().regex(/^[a-z]{3}$/),
  status: z.string(),
  created: z.number().int(),
});
const errorSchema = z.object({ error: z.object({ type: z.string(), code: z.string().optional() }) });

export interface ProcessorPayment {
  readonly id: string;
  readonly status: PaymentStatus;
}

export class ProcessorConnector {
  constructor(
    private readonly http: UpstreamClient,
    private readonly apiKey: (tenant: string) => string | undefined,
  ) {}

  private headers(tenant: string): Record<string, string> {
    return this.http.bearer(this.apiKey(tenant));
  }

  private intent(response: UpstreamJsonResponse): ProcessorPayment {
    if (response.status === 400 && errorSchema.safeParse(response.json).data?.error.type === 'idempotency_error')
      throw idempotencyConflict();
    if (response.status !== 200) throw this.http.unusable({ status: response.status, what: 'payment intent' });
    const parsed = intentSchema.safeParse(response.json);
    const status = parsed.success ? fromProcessor(parsed.data.status) : undefined;
    if (!parsed.success || !status) throw this.http.unusable({ status: response.status, what: 'payment intent shape' });
    return { id: parsed.data.id, status };
  }

  /** Creates and confirms a PaymentIntent drawing on the tenant's bank account `accountId`. */
  async create(
    tenant: string,
    request: {
      idempotencyKey: string;
      amountMinor: bigint;
      currency: CurrencyCode;
      accountId: string;
      description: string;
      paymentId: string;
    },
  ): Promise<ProcessorPayment & { replayed: boolean }> {
    const form = {
      amount: request.amountMinor.toString(),
      currency: request.currency.toLowerCase(),
      payment_method: `pm_acct_${request.accountId}`,
      confirm: 'true',
      description: request.description,
      'metadata[fingraph_payment_id]': request.paymentId,
    };
    const response = await this.http.postJson(
      { path: 'v1/payment_intents', headers: this.headers(tenant), idempotencyKey: request.idempotencyKey },
      { form },
    );
    const created = this.intent(response);
    return { ...created, replayed: response.headers['idempotent-replayed'] === 'true' };
  }

  async retrieve(tenant: string, id: string): Promise<ProcessorPayment> {
    return this.intent(await this.http.getJson({ path: `v1/payment_intents/${encodeURIComponent(id)}`, headers: this.headers(tenant) }));
  }

  /** Undefined when the processor says the intent can no longer be cancelled. */
  async cancel(tenant: string, id: string, idempotencyKey: string): Promise<ProcessorPayment | undefined> {
    const response = await this.http.postJson(
      { path: `v1/payment_intents/${encodeURIComponent(id)}/cancel`, headers: this.headers(tenant), idempotencyKey },
      { form: {} },
    );
    if (response.status === 400 && errorSchema.safeParse(response.json).data?.error.code === 'payment_intent_unexpected_state')
      return undefined;
    return this.intent(response);
  }
}
