// The KYC provider, in Onfido's API v3.6 wire format (/kyc/v3.6): applicants with their personal data, checks that run
// from in_progress to complete (result clear or consider) and their reports, page/per_page lists with Link and
// X-Total-Count headers, Onfido's error object, and check.completed webhooks signed with X-SHA2-Signature (hex
// HMAC-SHA256 of the raw body with the webhook token). Authorization: Token token=<tenant's key>; another tenant's
// applicant or check does not exist for a key (404).
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { tenantForKey } from '../credentials.js';
import { intParam, json } from '../http/io.js';
import type { Provider, Route, SandboxRequest, SandboxResponse } from '../http/types.js';
import type { ProviderDeps } from '../providerDeps.js';
import type { TenantId } from '../seed/types.js';
import { notFound, onfidoError, unauthorized, validationError } from './errors.js';
import { apiVersion, applicantJson, checkJson, reportJson, reportsOf } from './format.js';
import { type CheckState, createKycState } from './state.js';

export const kycBasePath = '/kyc';

/**
 * The webhook token the sandbox signs check.completed events with. The identity subgraph's KYC_WEBHOOK_TOKEN defaults
 * to this same development value outside production (and must be set in production).
 */
export const KYC_DEV_WEBHOOK_TOKEN = 'kyc-webhook-token-for-local-development-only';

const tokenPattern = /^Token token=(\S+)\s*$/;
const completion = z.strictObject({ result: z.enum(['clear', 'consider']) });

export function signKycWebhook(body: string, token = KYC_DEV_WEBHOOK_TOKEN): string {
  return createHmac('sha256', token).update(body).digest('hex');
}

export function createKycProvider(deps: ProviderDeps): Provider {
  const state = createKycState(deps.world);
  let events = 0;

  const authed =
    (handler: (request: SandboxRequest, tenant: TenantId) => SandboxResponse) =>
    (request: SandboxRequest): SandboxResponse => {
      const key = tokenPattern.exec(request.headers.authorization ?? '')?.[1];
      const tenant = tenantForKey('kyc', key);
      return tenant ? handler(request, tenant) : unauthorized();
    };
  const checkOf = (id: string, tenant: TenantId): CheckState | undefined => {
    const check = state.check(id);
    return check && check.customer.tenant === tenant ? check : undefined;
  };

  const routes: Route[] = [
    { method: 'GET', template: `/${apiVersion}/applicants`, handle: authed((request, tenant) => listApplicants(request, tenant)) },
    {
      method: 'GET',
      template: `/${apiVersion}/applicants/{applicant_id}`,
      handle: authed((request, tenant) => {
        const customer = state.applicants.get(request.params.applicant_id ?? '');
        return customer && customer.tenant === tenant ? json(200, applicantJson(customer)) : notFound();
      }),
    },
    {
      method: 'GET',
      template: `/${apiVersion}/checks`,
      handle: authed((request, tenant) => {
        const applicantId = request.query.get('applicant_id');
        if (!applicantId) return validationError({ applicant_id: ['is required'] });
        const customer = state.applicants.get(applicantId);
        if (!customer || customer.tenant !== tenant) return notFound();
        const check = state.check(customer.kyc.checkId);
        return json(200, { checks: check ? [checkJson(check)] : [] });
      }),
    },
    {
      method: 'GET',
      template: `/${apiVersion}/checks/{check_id}`,
      handle: authed((request, tenant) => {
        const check = checkOf(request.params.check_id ?? '', tenant);
        return check ? json(200, checkJson(check)) : notFound();
      }),
    },
    {
      method: 'GET',
      template: `/${apiVersion}/reports`,
      handle: authed((request, tenant) => {
        const checkId = request.query.get('check_id');
        if (!checkId) return validationError({ check_id: ['is required'] });
        const check = checkOf(checkId, tenant);
        return check ? json(200, { reports: reportsOf(check) }) : notFound();
      }),
    },
    {
      method: 'GET',
      template: `/${apiVersion}/reports/{report_id}`,
      handle: authed((request, tenant) => {
        const reportId = request.params.report_id ?? '';
        const check = state.checkForReport(reportId);
        if (!check || check.customer.tenant !== tenant) return notFound();
        return json(200, reportJson(check, check.customer.kyc.reportIds.indexOf(reportId)));
      }),
    },
  ];

  /** Onfido's list: newest first, page (from 1) and per_page (up to 500), with Link and X-Total-Count headers. */
  function listApplicants(request: SandboxRequest, tenant: TenantId): SandboxResponse {
    const page = intParam(request.query, 'page', 1, 1, 100_000);
    const perPage = intParam(request.query, 'per_page', 20, 1, 500);
    if (page === undefined) return validationError({ page: ['must be a positive integer'] });
    if (perPage === undefined) return validationError({ per_page: ['must be an integer from 1 to 500'] });
    const all = [...(deps.world.customers.get(tenant) ?? [])].sort(
      (a, b) => b.kyc.applicantCreatedAt - a.kyc.applicantCreatedAt || (a.id < b.id ? -1 : 1),
    );
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const link = (rel: string, to: number) =>
      `<${request.origin}${kycBasePath}/${apiVersion}/applicants?page=${to}&per_page=${perPage}>; rel="${rel}"`;
    const links = [
      ...(page < last ? [link('next', page + 1)] : []),
      link('last', last),
      link('first', 1),
      ...(page > 1 ? [link('prev', page - 1)] : []),
    ];
    return {
      ...json(200, { applicants: slice.map(applicantJson) }),
      headers: { link: links.join(', '), 'x-total-count': String(all.length) },
    };
  }

  /** Completes a running check and sends check.completed to the registered webhook, signed as Onfido signs it. */
  function complete(params: Record<string, string>, body: string): SandboxResponse {
    let parsed: z.infer<typeof completion>;
    try {
      parsed = completion.parse(JSON.parse(body));
    } catch {
      return json(400, { error: { message: 'Expected { "result": "clear" | "consider" }' } });
    }
    const check = state.check(params.check_id ?? '');
    if (!check) return json(404, { error: { message: `No check ${params.check_id ?? ''}` } });
    if (check.status === 'complete') return json(409, { error: { message: 'The check is already complete' } });
    const completedAt = Date.now();
    check.status = 'complete';
    check.result = parsed.result;
    check.considerReport = parsed.result === 'consider' ? 'document' : null;
    const { checkId } = check.customer.kyc;
    const payload = JSON.stringify({
      payload: {
        resource_type: 'check',
        action: 'check.completed',
        object: {
          id: checkId,
          status: 'complete',
          completed_at_iso8601: new Date(completedAt).toISOString(),
          href: `https://api.onfido.com/${apiVersion}/checks/${checkId}`,
        },
      },
    });
    events += 1;
    const eventId = `check.completed:${checkId}:${events}`;
    deps.outbox.send({ provider: 'kyc', eventId, body: payload, headers: { 'x-sha2-signature': signKycWebhook(payload) } });
    return json(200, { check_id: checkId, status: check.status, result: check.result, event_id: eventId });
  }

  return {
    id: 'kyc',
    basePath: kycBasePath,
    routes,
    failure(kind) {
      if (kind === 'unavailable') return onfidoError(503, 'service_unavailable', 'The service is temporarily unavailable.');
      if (kind === 'internal') return onfidoError(500, 'internal_server_error', 'An internal error occurred.');
      return notFound();
    },
    control: [
      {
        method: 'GET',
        template: '/pending-checks',
        handle: () =>
          json(200, {
            checks: state.pending().map((check) => ({
              check_id: check.customer.kyc.checkId,
              applicant_id: check.customer.kyc.applicantId,
              customer_id: check.customer.id,
              tenant: check.customer.tenant,
            })),
          }),
      },
      { method: 'POST', template: '/checks/{check_id}/complete', handle: complete },
    ],
    reset: () => state.reset(),
  };
}
