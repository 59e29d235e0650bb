// A bank-transfer provider in a Dwolla-like wire format (/transfers): funding sources (the tenant's bank accounts,
// registered under the bank's own account id, with the holder linked as a Customer or, for the organisation's own
// accounts, the platform Account), and transfers over ACH, wire, Faster Payments and SEPA credit (decimal string
// amounts `{ value, currency }`, statuses pending → processed | failed | cancelled, cancel by POSTing
// `{ "status": "cancelled" }`). POST /transfers answers 201 with a Location header; the `Idempotency-Key` header makes
// a repeat within 24 hours answer the same Location (another body under the same key is a 409). Transfers settle
// after a delay (or when a test says so), booked on the source account's ledger, and every change is sent as a
// webhook event signed with `X-Request-Signature-SHA-256: hex(HMAC-SHA256(secret, body))`. A test can make the
// provider accept a transfer and then answer too late (`/_control/transfers/stall`), as an upstream timeout looks.
//
// Simplification: the payee's bank details travel inline in `destination` rather than as a second funding source.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { tenantForKey } from '../credentials.js';
import { bearerToken, json } from '../http/io.js';
import type { Provider, ProviderControlRoute, Route, SandboxRequest, SandboxResponse } from '../http/types.js';
import { controlError, createPaymentRail } from '../paymentRails/index.js';
import type { ProviderDeps } from '../providerDeps.js';
import { type CurrencyCode, formatMinor, minorUnitDigits } from '../seed/money.js';
import type { SeedAccount, TenantId } from '../seed/types.js';

export const transfersBasePath = '/transfers';

/** The development webhook signing secret, shared with the payments subgraph's default (TRANSFERS_WEBHOOK_SECRET). */
export const DEV_TRANSFERS_WEBHOOK_SECRET = 'fingraph-dev-transfers-webhook-secret-0123456789';

const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
const DEFAULT_SETTLE_AFTER_MS = 5_000;
const channels = ['ach', 'wire', 'faster-payments', 'sepa-credit'] as const;
const bankNames: Readonly<Record<string, string>> = {
  northwind: 'Northwind Bank',
  albion: 'Albion Bank',
  lakeside: 'Lakeside National Bank',
  pacific: 'Pacific Trust',
};

type TransferStatus = 'pending' | 'processed' | 'failed' | 'cancelled';

interface Transfer {
  readonly id: string;
  readonly tenant: TenantId;
  readonly account: SeedAccount;
  readonly minor: number;
  readonly currency: CurrencyCode;
  readonly channel: (typeof channels)[number];
  readonly metadata: Readonly<Record<string, string>>;
  readonly created: string;
  status: TransferStatus;
}

const dwollaError = (status: number, code: string, message: string, errors?: Array<{ code: string; message: string; path: string }>) =>
  json(status, { code, message, ...(errors ? { _embedded: { errors } } : {}) });

const transferBody = z.object({
  _links: z.object({ source: z.object({ href: z.string().max(500) }) }),
  amount: z.object({ value: z.string().regex(/^\d{1,12}(\.\d{1,2})?$/), currency: z.string().length(3) }),
  processingChannel: z.object({ destination: z.enum(channels) }),
  destination: z.object({
    name: z.string().min(1).max(140),
    accountNumber: z.string().max(34).optional(),
    routingNumber: z.string().max(9).optional(),
    sortCode: z.string().max(6).optional(),
    iban: z.string().max(34).optional(),
    bic: z.string().max(11).optional(),
  }),
  metadata: z.record(z.string().max(40), z.string().max(255)).optional(),
  correlationId: z.string().max(255).optional(),
});

/** A decimal string in the currency's minor units, or undefined when it has more decimals than the currency. */
function toMinor(value: string, currency: CurrencyCode): number | undefined {
  const [whole, fraction = ''] = value.split('.');
  const digits = minorUnitDigits[currency];
  if (fraction.length > digits) return undefined;
  return Number(`${whole}${fraction.padEnd(digits, '0')}`);
}

export function createTransfersProvider(deps: ProviderDeps): Provider {
  const { world, ledgers, clock, outbox } = deps;
  const transfers = new Map<string, Transfer>();
  const idempotency = new Map<string, { fingerprint: string; location: string; at: number }>();
  const rail = createPaymentRail({
    provider: 'transfers',
    outbox,
    latency: deps.latency,
    defaultSecret: DEV_TRANSFERS_WEBHOOK_SECRET,
    defaultSettleAfterMs: DEFAULT_SETTLE_AFTER_MS,
    sign: (secret, body) => ({ 'x-request-signature-sha-256': createHmac('sha256', secret).update(body).digest('hex') }),
  });

  const href = (request: SandboxRequest | undefined, path: string) => `${request?.origin ?? ''}${transfersBasePath}${path}`;

  function emit(transfer: Transfer, topic: string, request?: SandboxRequest): void {
    const id = randomUUID();
    const body = JSON.stringify({
      _links: { self: { href: href(request, `/events/${id}`) }, resource: { href: href(request, `/transfers/${transfer.id}`) } },
      id,
      resourceId: transfer.id,
      topic,
      timestamp: new Date().toISOString(),
      created: new Date().toISOString(),
    });
    rail.emit({ id, type: topic, body, subject: transfer.id });
  }

  function transferJson(transfer: Transfer, request: SandboxRequest) {
    return {
      _links: {
        self: { href: href(request, `/transfers/${transfer.id}`) },
        source: { href: href(request, `/funding-sources/${transfer.account.id}`) },
        ...(transfer.status === 'pending' ? { cancel: { href: href(request, `/transfers/${transfer.id}`) } } : {}),
      },
      id: transfer.id,
      status: transfer.status,
      amount: { value: formatMinor(transfer.minor, transfer.currency), currency: transfer.currency },
      created: transfer.created,
      processingChannel: { destination: transfer.channel },
      metadata: transfer.metadata,
    };
  }

  function settle(transfer: Transfer, outcome: 'processed' | 'failed'): boolean {
    if (transfer.status !== 'pending') return false;
    rail.unschedule(transfer.id);
    transfer.status = outcome;
    if (outcome === 'processed') {
      ledgers.book(transfer.account, {
        id: `txn_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
        at: clock.asOf,
        amountMinor: -transfer.minor,
        description: `${transfer.channel.toUpperCase().replace('-', ' ')} TRANSFER ${transfer.id.slice(0, 8)}`.toUpperCase(),
        reference: transfer.id,
      });
    }
    emit(transfer, outcome === 'processed' ? 'transfer_completed' : 'transfer_failed');
    return true;
  }

  function authenticate(request: SandboxRequest): TenantId | SandboxResponse {
    const tenant = tenantForKey('transfers', bearerToken(request.headers));
    return tenant ?? dwollaError(401, 'InvalidAccessToken', 'Invalid access token.');
  }

  const fundingSource = (tenant: TenantId, id: string) => {
    const account = world.accounts.get(id);
    return account && account.tenant === tenant ? account : undefined;
  };

  function createTransfer(request: SandboxRequest, tenant: TenantId): SandboxResponse {
    let parsed: z.infer<typeof transferBody>;
    try {
      const result = transferBody.safeParse(JSON.parse(request.body));
      if (!result.success) {
        const issue = result.error.issues[0];
        return dwollaError(400, 'ValidationError', 'Validation error(s) present. See embedded errors list for more details.', [
          { code: 'Invalid', message: issue?.message ?? 'Invalid', path: `/${(issue?.path ?? []).join('/')}` },
        ]);
      }
      parsed = result.data;
    } catch {
      return dwollaError(400, 'BadRequest', 'The request body contains bad syntax or is incomplete.');
    }
    const sourceId = /\/funding-sources\/([^/?#]+)$/.exec(parsed._links.source.href)?.[1] ?? '';
    const account = fundingSource(tenant, decodeURIComponent(sourceId));
    if (!account)
      return dwollaError(400, 'ValidationError', 'Funding source not found.', [
        { code: 'NotFound', message: 'Funding source not found.', path: '/_links/source/href' },
      ]);
    const currency = parsed.amount.currency as CurrencyCode;
    const minor = account.currency === currency ? toMinor(parsed.amount.value, currency) : undefined;
    if (minor === undefined || minor < 1) {
      return dwollaError(400, 'ValidationError', 'Invalid amount.', [
        { code: 'Invalid', message: 'Invalid amount.', path: '/amount/value' },
      ]);
    }
    const transfer: Transfer = {
      id: randomUUID(),
      tenant,
      account,
      minor,
      currency,
      channel: parsed.processingChannel.destination,
      metadata: parsed.metadata ?? {},
      created: new Date().toISOString(),
      status: 'pending',
    };
    transfers.set(transfer.id, transfer);
    emit(transfer, 'transfer_created', request);
    rail.schedule(transfer.id, () => settle(transfer, 'processed'));
    return {
      status: 201,
      body: '',
      contentType: 'application/json; charset=utf-8',
      headers: { location: href(request, `/transfers/${transfer.id}`) },
    };
  }

  const withTenant =
    (handler: (request: SandboxRequest, tenant: TenantId) => SandboxResponse | Promise<SandboxResponse>) => (request: SandboxRequest) => {
      const tenant = authenticate(request);
      return typeof tenant === 'string' ? handler(request, tenant) : tenant;
    };
  /** "Accept, then time out": a created transfer exists (and its key is stored) but the answer arrives too late. */
  async function lateIfStalled(response: SandboxResponse): Promise<SandboxResponse> {
    if (response.status === 201) await rail.answerLateIfStalled();
    return response;
  }
  const notFound = () => dwollaError(404, 'NotFound', 'The requested resource was not found.');

  const routes: Route[] = [
    {
      method: 'GET',
      template: '/funding-sources/{Id}',
      handle: withTenant((request, tenant) => {
        const account = fundingSource(tenant, request.params.Id ?? '');
        if (!account) return notFound();
        const holder =
          account.ownerKind === 'organisation'
            ? { account: { href: href(request, `/accounts/${account.ownerId}`) } }
            : { customer: { href: href(request, `/customers/${account.ownerId}`) } };
        return json(200, {
          _links: { self: { href: href(request, `/funding-sources/${account.id}`) }, ...holder },
          id: account.id,
          status: 'verified',
          type: 'bank',
          bankAccountType: account.product === 'current' ? 'checking' : 'savings',
          name: account.nickname,
          created: new Date(account.openedAt).toISOString(),
          removed: false,
          channels:
            account.currency === 'GBP'
              ? ['faster-payments', 'wire']
              : account.currency === 'EUR'
                ? ['sepa-credit', 'wire']
                : ['ach', 'wire'],
          bankName: bankNames[account.bank] ?? account.bank,
          institutionId: account.bank,
          currency: account.currency,
        });
      }),
    },
    {
      method: 'POST',
      template: '/transfers',
      handle: withTenant(async (request, tenant) => {
        const header = request.headers['idempotency-key'];
        const key = typeof header === 'string' ? header : undefined;
        if (key === undefined) return lateIfStalled(createTransfer(request, tenant));
        const scoped = `${tenant}|${key}`;
        const fingerprint = createHash('sha256').update(request.body).digest('hex');
        const stored = idempotency.get(scoped);
        if (stored && Date.now() - stored.at < IDEMPOTENCY_WINDOW_MS) {
          if (stored.fingerprint !== fingerprint)
            return dwollaError(409, 'Conflict', 'Idempotency-Key was already used with a different request body.');
          return { status: 201, body: '', contentType: 'application/json; charset=utf-8', headers: { location: stored.location } };
        }
        const response = createTransfer(request, tenant);
        const location = response.headers?.location;
        if (location) idempotency.set(scoped, { fingerprint, location, at: Date.now() });
        return lateIfStalled(response);
      }),
    },
    {
      method: 'GET',
      template: '/transfers/{Id}',
      handle: withTenant((request, tenant) => {
        const transfer = transfers.get(request.params.Id ?? '');
        return transfer && transfer.tenant === tenant ? json(200, transferJson(transfer, request)) : notFound();
      }),
    },
    {
      method: 'POST',
      template: '/transfers/{Id}',
      handle: withTenant((request, tenant) => {
        const transfer = transfers.get(request.params.Id ?? '');
        if (!transfer || transfer.tenant !== tenant) return notFound();
        let wanted: unknown;
        try {
          wanted = (JSON.parse(request.body) as { status?: unknown }).status;
        } catch {
          wanted = undefined;
        }
        if (wanted !== 'cancelled') return dwollaError(400, 'ValidationError', 'Only { "status": "cancelled" } is accepted.');
        if (transfer.status !== 'pending')
          return dwollaError(400, 'InvalidResourceState', `A ${transfer.status} transfer cannot be cancelled.`);
        rail.unschedule(transfer.id);
        transfer.status = 'cancelled';
        emit(transfer, 'transfer_cancelled', request);
        return json(200, transferJson(transfer, request));
      }),
    },
  ];

  const settleRoute = (outcome: 'processed' | 'failed'): ProviderControlRoute => ({
    method: 'POST',
    template: `/transfers/{Id}/${outcome === 'processed' ? 'process' : 'fail'}`,
    handle(params) {
      const transfer = transfers.get(params.Id ?? '');
      if (!transfer) return controlError(404, 'No such transfer');
      return settle(transfer, outcome)
        ? json(200, { id: transfer.id, status: transfer.status })
        : controlError(409, `Transfer is ${transfer.status}`);
    },
  });

  const control: ProviderControlRoute[] = [
    ...rail.control,
    settleRoute('processed'),
    settleRoute('failed'),
    { method: 'GET', template: '/transfers', handle: () => json(200, { count: transfers.size }) },
  ];

  return {
    id: 'transfers',
    basePath: transfersBasePath,
    routes,
    control,
    failure: (kind) =>
      kind === 'route_not_found'
        ? dwollaError(404, 'NotFound', 'The requested resource was not found.')
        : dwollaError(kind === 'unavailable' ? 503 : 500, 'ServerError', 'A server error occurred.'),
    reset() {
      rail.reset();
      transfers.clear();
      idempotency.clear();
    },
  };
}
