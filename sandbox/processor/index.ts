// A card and wallet processor in Stripe's wire format (/processor/v1): PaymentIntents created with a form-encoded body
// (integer `amount` in minor units, lowercase `currency`), retrieved, listed (`limit`, `starting_after`, `has_more`)
// and cancelled; Stripe's error object; and the `Idempotency-Key` header with Stripe's semantics (the first response is
// stored and replayed for 24 hours with `Idempotent-Replayed: true`; the same key with other parameters is a 400
// idempotency_error). A confirmed intent is `processing`, then settles after a delay (or when a test says so) to
// `succeeded`, booked on the bank account it draws from, or fails back to `requires_payment_method`; every change is
// sent as a signed webhook (`Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`).
//
// Payment methods: the sandbox attaches each of a tenant's bank accounts as `pm_acct_<the bank's account id>`.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { tenantForKey } from '../credentials.js';
import { bearerToken, json } from '../http/io.js';
import type { Provider, ProviderControlRoute, Route, SandboxRequest, SandboxResponse } from '../http/types.js';
import { controlError, createPaymentRail } from '../paymentRails/index.js';
import type { ProviderDeps } from '../providerDeps.js';
import type { CurrencyCode } from '../seed/money.js';
import type { SeedAccount, TenantId } from '../seed/types.js';

export const processorBasePath = '/processor';

/** The development webhook signing secret, shared with the payments subgraph's default (PROCESSOR_WEBHOOK_SECRET). */
export const DEV_PROCESSOR_WEBHOOK_SECRET = 'whsec_fingraph_dev_processor_0123456789abcdef';

const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
const DEFAULT_SETTLE_AFTER_MS = 3_000;
const MAX_AMOUNT = 99_999_999;
const currencies: readonly CurrencyCode[] = ['GBP', 'USD', 'EUR', 'JPY'];

type IntentStatus = 'requires_payment_method' | 'processing' | 'succeeded' | 'canceled';

interface Intent {
  readonly id: string;
  readonly tenant: TenantId;
  /** Integer minor units, as Stripe's wire format carries them (at most MAX_AMOUNT, well inside a safe integer). */
  readonly amountMinor: number;
  readonly currency: string;
  readonly account: SeedAccount;
  readonly paymentMethod: string;
  readonly description: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly created: number;
  status: IntentStatus;
  canceledAt: number | null;
  lastError: { code: string; message: string } | null;
}

interface StoredResponse {
  readonly fingerprint: string;
  readonly response: SandboxResponse;
  readonly at: number;
}

const stripeError = (status: number, type: string, message: string, extra: Record<string, string> = {}) =>
  json(status, { error: { type, message, ...extra } });

const intentJson = (intent: Intent) => ({
  id: intent.id,
  object: 'payment_intent',
  amount: intent.amountMinor,
  amount_received: intent.status === 'succeeded' ? intent.amountMinor : 0,
  capture_method: 'automatic',
  canceled_at: intent.canceledAt,
  cancellation_reason: intent.canceledAt === null ? null : 'requested_by_customer',
  client_secret: `${intent.id}_secret_${createHash('sha256').update(intent.id).digest('hex').slice(0, 24)}`,
  confirmation_method: 'automatic',
  created: intent.created,
  currency: intent.currency,
  description: intent.description,
  last_payment_error: intent.lastError ? { type: 'card_error', ...intent.lastError } : null,
  livemode: false,
  metadata: intent.metadata,
  payment_method: intent.paymentMethod,
  payment_method_types: ['card'],
  status: intent.status,
});

/** Stripe's form encoding: `amount=1250&currency=usd&metadata[key]=value`. */
function formFields(body: string): { fields: Map<string, string>; metadata: Record<string, string> } {
  const fields = new Map<string, string>();
  const metadata: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const meta = /^metadata\[([^\]]{1,40})\]$/.exec(name);
    if (meta) metadata[meta[1] as string] = value;
    else fields.set(name, value);
  }
  return { fields, metadata };
}

export function createProcessorProvider(deps: ProviderDeps): Provider {
  const { world, ledgers, clock, outbox } = deps;
  const intents = new Map<string, Intent>();
  const idempotency = new Map<string, StoredResponse>();

  const rail = createPaymentRail({
    provider: 'processor',
    outbox,
    latency: deps.latency,
    defaultSecret: DEV_PROCESSOR_WEBHOOK_SECRET,
    defaultSettleAfterMs: DEFAULT_SETTLE_AFTER_MS,
    sign(secret, body) {
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
      return { 'stripe-signature': `t=${t},v1=${v1}` };
    },
  });

  function emit(intent: Intent, type: string): void {
    const id = `evt_${randomBytes(12).toString('hex')}`;
    const body = JSON.stringify({
      id,
      object: 'event',
      api_version: '2024-06-20',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object: intentJson(intent) },
    });
    rail.emit({ id, type, body, subject: intent.id });
  }

  function settle(intent: Intent, outcome: 'succeeded' | 'failed'): boolean {
    if (intent.status !== 'processing') return false;
    rail.unschedule(intent.id);
    if (outcome === 'succeeded') {
      intent.status = 'succeeded';
      ledgers.book(intent.account, {
        id: `txn_${randomBytes(10).toString('hex')}`,
        at: clock.asOf,
        amountMinor: -intent.amountMinor,
        description: `CARD PAYMENT ${intent.description ?? intent.id}`.slice(0, 60).toUpperCase(),
        reference: intent.id,
      });
      emit(intent, 'payment_intent.succeeded');
    } else {
      intent.status = 'requires_payment_method';
      intent.lastError = { code: 'card_declined', message: 'Your card was declined.' };
      emit(intent, 'payment_intent.payment_failed');
    }
    return true;
  }

  /** The tenant behind the secret key, or Stripe's 401. */
  function authenticate(request: SandboxRequest): TenantId | SandboxResponse {
    const tenant = tenantForKey('processor', bearerToken(request.headers));
    return tenant ?? stripeError(401, 'invalid_request_error', 'Invalid API Key provided.');
  }

  /** Stripe's idempotency: the first response for a key is replayed; other parameters under it are refused. */
  async function idempotent(request: SandboxRequest, tenant: TenantId, execute: () => SandboxResponse): Promise<SandboxResponse> {
    const header = request.headers['idempotency-key'];
    const key = typeof header === 'string' ? header : undefined;
    if (key === undefined) return execute();
    if (key.length > 255) return stripeError(400, 'invalid_request_error', 'Idempotency-Key must be at most 255 characters.');
    const scoped = `${tenant}|${key}`;
    const fingerprint = createHash('sha256').update(`${request.method} ${request.path}\n${request.body}`).digest('hex');
    const stored = idempotency.get(scoped);
    if (stored && Date.now() - stored.at < IDEMPOTENCY_WINDOW_MS) {
      if (stored.fingerprint !== fingerprint) {
        return stripeError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      return { ...stored.response, headers: { ...stored.response.headers, 'idempotent-replayed': 'true', 'idempotency-key': key } };
    }
    const response = execute();
    // Stripe stores results that reached its API (not 401s or 5xx); the response is stored before it is sent.
    if (response.status < 500 && response.status !== 401) idempotency.set(scoped, { fingerprint, response, at: Date.now() });
    // "Accept, then time out": the intent exists and its response is stored, but the answer may arrive too late.
    if (request.path === '/v1/payment_intents') await rail.answerLateIfStalled();
    return { ...response, headers: { ...response.headers, 'idempotency-key': key } };
  }

  function createIntent(tenant: TenantId, body: string): SandboxResponse {
    const { fields, metadata } = formFields(body);
    const amountText = fields.get('amount');
    if (amountText === undefined)
      return stripeError(400, 'invalid_request_error', 'Missing required param: amount.', { code: 'parameter_missing', param: 'amount' });
    if (!/^\d{1,12}$/.test(amountText) || Number(amountText) < 1 || Number(amountText) > MAX_AMOUNT) {
      return stripeError(400, 'invalid_request_error', 'Invalid integer: amount.', { code: 'parameter_invalid_integer', param: 'amount' });
    }
    const currency = fields.get('currency') ?? '';
    if (!currencies.includes(currency.toUpperCase() as CurrencyCode) || currency !== currency.toLowerCase()) {
      return stripeError(400, 'invalid_request_error', `Invalid currency: ${currency.slice(0, 10)}.`, {
        code: 'parameter_invalid_string',
        param: 'currency',
      });
    }
    const paymentMethod = fields.get('payment_method') ?? '';
    const account = world.accounts.get(paymentMethod.replace(/^pm_acct_/, ''));
    if (!paymentMethod.startsWith('pm_acct_') || !account || account.tenant !== tenant) {
      return stripeError(400, 'invalid_request_error', `No such PaymentMethod: '${paymentMethod.slice(0, 60)}'`, {
        code: 'resource_missing',
        param: 'payment_method',
      });
    }
    if (account.currency.toLowerCase() !== currency) {
      return stripeError(400, 'invalid_request_error', 'The currency does not match the payment method.', {
        code: 'parameter_invalid_string',
        param: 'currency',
      });
    }
    const confirm = fields.get('confirm') === 'true';
    const intent: Intent = {
      id: `pi_${randomBytes(12).toString('hex')}`,
      tenant,
      amountMinor: Number(amountText),
      currency,
      account,
      paymentMethod,
      description: fields.get('description')?.slice(0, 200) ?? null,
      metadata,
      created: Math.floor(Date.now() / 1000),
      status: confirm ? 'processing' : 'requires_payment_method',
      canceledAt: null,
      lastError: null,
    };
    intents.set(intent.id, intent);
    emit(intent, 'payment_intent.created');
    if (confirm) {
      emit(intent, 'payment_intent.processing');
      rail.schedule(intent.id, () => settle(intent, 'succeeded'));
    }
    return json(200, intentJson(intent));
  }

  const ownIntent = (tenant: TenantId, id: string) => {
    const intent = intents.get(id);
    return intent && intent.tenant === tenant ? intent : undefined;
  };
  const missing = (id: string) =>
    stripeError(404, 'invalid_request_error', `No such payment_intent: '${id.slice(0, 60)}'`, {
      code: 'resource_missing',
      param: 'intent',
    });

  const withTenant =
    (handler: (request: SandboxRequest, tenant: TenantId) => SandboxResponse | Promise<SandboxResponse>) => (request: SandboxRequest) => {
      const tenant = authenticate(request);
      return typeof tenant === 'string' ? handler(request, tenant) : tenant;
    };

  const routes: Route[] = [
    {
      method: 'POST',
      template: '/v1/payment_intents',
      handle: withTenant((request, tenant) => idempotent(request, tenant, () => createIntent(tenant, request.body))),
    },
    {
      method: 'GET',
      template: '/v1/payment_intents/{IntentId}',
      handle: withTenant((request, tenant) => {
        const intent = ownIntent(tenant, request.params.IntentId ?? '');
        return intent ? json(200, intentJson(intent)) : missing(request.params.IntentId ?? '');
      }),
    },
    {
      method: 'GET',
      template: '/v1/payment_intents',
      handle: withTenant((request, tenant) => {
        const limitText = request.query.get('limit') ?? '10';
        if (!/^\d{1,3}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 100) {
          return stripeError(400, 'invalid_request_error', 'Invalid integer: limit.', {
            code: 'parameter_invalid_integer',
            param: 'limit',
          });
        }
        // Newest first, as Stripe lists; `starting_after` is the last id of the previous page.
        const all = [...intents.values()].filter((intent) => intent.tenant === tenant).reverse();
        const after = request.query.get('starting_after');
        const start = after === null ? 0 : all.findIndex((intent) => intent.id === after) + 1;
        if (after !== null && start === 0) return missing(after);
        const page = all.slice(start, start + Number(limitText));
        return json(200, {
          object: 'list',
          url: '/v1/payment_intents',
          has_more: start + page.length < all.length,
          data: page.map(intentJson),
        });
      }),
    },
    {
      method: 'POST',
      template: '/v1/payment_intents/{IntentId}/cancel',
      handle: withTenant((request, tenant) =>
        idempotent(request, tenant, () => {
          const intent = ownIntent(tenant, request.params.IntentId ?? '');
          if (!intent) return missing(request.params.IntentId ?? '');
          if (intent.status === 'succeeded' || intent.status === 'canceled') {
            return stripeError(
              400,
              'invalid_request_error',
              `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
              { code: 'payment_intent_unexpected_state' },
            );
          }
          rail.unschedule(intent.id);
          intent.status = 'canceled';
          intent.canceledAt = Math.floor(Date.now() / 1000);
          emit(intent, 'payment_intent.canceled');
          return json(200, intentJson(intent));
        }),
      ),
    },
  ];

  const settleRoute = (outcome: 'succeeded' | 'failed'): ProviderControlRoute => ({
    method: 'POST',
    template: `/payment_intents/{IntentId}/${outcome === 'succeeded' ? 'succeed' : 'fail'}`,
    handle(params) {
      const intent = intents.get(params.IntentId ?? '');
      if (!intent) return controlError(404, 'No such intent');
      return settle(intent, outcome) ? json(200, intentJson(intent)) : controlError(409, `Intent is ${intent.status}`);
    },
  });

  const control: ProviderControlRoute[] = [...rail.control, settleRoute('succeeded'), settleRoute('failed')];

  return {
    id: 'processor',
    basePath: processorBasePath,
    routes,
    control,
    failure: (kind) =>
      kind === 'route_not_found'
        ? stripeError(404, 'invalid_request_error', 'Unrecognized request URL.')
        : stripeError(kind === 'unavailable' ? 503 : 500, 'api_error', 'An error occurred with our connection to Stripe.'),
    reset() {
      rail.reset();
      intents.clear();
      idempotency.clear();
    },
  };
}
