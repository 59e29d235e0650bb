// The credit bureau, in the shape of Experian's consumer credit profile API: POST .../credit-report with the consumer's
// identification, a permissible purpose (required, FCRA section 604), the risk models wanted and whether the inquiry is
// HARD or SOFT; the answer is `creditProfile[0]` with riskModel, tradeline and inquiry segments. The API key decides the
// tenant (its subscriber). A HARD inquiry is recorded on the consumer's file and shows in later reports; a SOFT one is
// recorded too but, as at a real bureau, never shown to lenders. Consumers are identified by the tenant's customer
// reference, not by personal data: see README.md, "Credit".
import { z } from 'zod';
import { tenantForKey } from '../credentials.js';
import { bearerToken, json } from '../http/io.js';
import type { Provider, ProviderControlRoute, Route, SandboxRequest, SandboxResponse } from '../http/types.js';
import type { ProviderDeps } from '../providerDeps.js';
import type { SeedCustomer, TenantId } from '../seed/types.js';
import { permissiblePurposes, riskModels, softOnlyPurposes } from './codes.js';
import { bureauError, invalidRequest, noRecordFound, unauthorized } from './errors.js';
import { buildConsumerFile, bureauDate, type ConsumerFile, type FileInquiry, scoreFor } from './profile.js';

export const bureauBasePath = '/bureau';
export const creditReportPath = '/consumerservices/credit-profile/v2/credit-report';

const pullRequest = z.object({
  consumerPii: z.object({
    primaryApplicant: z.object({ customerReference: z.string().min(1).max(64) }),
  }),
  requestor: z.object({ subscriberCode: z.string().regex(/^\d{7}$/) }).optional(),
  permissiblePurpose: z.object({
    type: z.string(),
    terms: z.string().max(20).optional(),
    abbreviatedAmount: z.string().max(12).optional(),
  }),
  inquiryType: z.enum(['HARD', 'SOFT']),
  addOns: z
    .object({
      riskModels: z.object({ modelIndicator: z.array(z.string()).min(1).max(2) }).optional(),
    })
    .optional(),
});

/** MMDDYY and HHMMSS in UTC, as the header record writes them. */
function headerRecord(ms: number) {
  const iso = new Date(ms).toISOString();
  return {
    reportDate: `${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(2, 4)}`,
    reportTime: `${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`,
  };
}

/** Newest first, as the inquiry segment lists them. */
const byDateDescending = (a: FileInquiry, b: FileInquiry) =>
  `${b.date.slice(4)}${b.date.slice(0, 4)}`.localeCompare(`${a.date.slice(4)}${a.date.slice(0, 4)}`);

export function createBureauProvider({ world, clock }: ProviderDeps): Provider {
  const files = new Map<string, ConsumerFile>();
  /** Inquiries made at run time, per customer id (ids are unique across tenants). */
  const recorded = new Map<string, FileInquiry[]>();
  const fileOf = (customer: SeedCustomer) => {
    let file = files.get(customer.id);
    if (!file) {
      file = buildConsumerFile(world.seed, clock, customer);
      files.set(customer.id, file);
    }
    return file;
  };
  const subscriberName = (tenant: TenantId) => (world.organisations.get(tenant)?.name ?? tenant).toUpperCase();

  function pull(request: SandboxRequest): SandboxResponse {
    const tenant = tenantForKey('bureau', bearerToken(request.headers));
    if (!tenant) return unauthorized();
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return invalidRequest('The request body must be JSON.');
    }
    if (typeof body === 'object' && body !== null && !('permissiblePurpose' in body)) {
      return invalidRequest('permissiblePurpose is required: a consumer report may be furnished only for a permissible purpose.');
    }
    const parsed = pullRequest.safeParse(body);
    if (!parsed.success) {
      return invalidRequest(
        `Invalid fields: ${parsed.error.issues
          .slice(0, 5)
          .map((issue) => issue.path.join('.'))
          .join(', ')}`,
      );
    }
    const { consumerPii, permissiblePurpose, inquiryType, addOns, requestor } = parsed.data;
    if (!Object.hasOwn(permissiblePurposes, permissiblePurpose.type)) {
      return invalidRequest(`permissiblePurpose.type ${permissiblePurpose.type} is not a permissible purpose code.`);
    }
    if (inquiryType === 'HARD' && softOnlyPurposes.has(permissiblePurpose.type)) {
      return invalidRequest(`permissiblePurpose.type ${permissiblePurpose.type} is soft-inquiry only.`);
    }
    const models = addOns?.riskModels?.modelIndicator ?? [];
    const unknownModel = models.find((model) => !Object.hasOwn(riskModels, model));
    if (unknownModel !== undefined) return invalidRequest(`addOns.riskModels.modelIndicator ${unknownModel} is not offered.`);

    const customer = world.customerById.get(consumerPii.primaryApplicant.customerReference);
    if (!customer || customer.tenant !== tenant) return noRecordFound();
    const file = fileOf(customer);
    const now = Date.now();
    const history = recorded.get(customer.id) ?? [];
    const report = {
      creditProfile: [
        {
          headerRecord: [headerRecord(now)],
          consumerIdentity: { customerReference: customer.id },
          riskModel: models.map((model) => ({
            modelIndicator: model,
            score: String(scoreFor(file, model as 'F9' | 'V4')).padStart(4, '0'),
            evaluation: 'P',
            scoreFactors: file.reasons.map((code, index) => ({ importance: String(index + 1), code })),
          })),
          tradeline: file.tradelines,
          // What lenders see: hard inquiries only. Soft ones stay on the file for the consumer's own disclosure.
          inquiry: [...file.inquiries, ...history].filter((entry) => entry.type === 'H').sort(byDateDescending),
        },
      ],
    };
    recorded.set(customer.id, [
      ...history,
      {
        date: bureauDate(now),
        subscriberName: subscriberName(tenant),
        subscriberCode: requestor?.subscriberCode ?? '0000000',
        type: inquiryType === 'HARD' ? 'H' : 'S',
      },
    ]);
    return json(200, report);
  }

  const routes: Route[] = [{ method: 'POST', template: creditReportPath, handle: pull }];

  const control: ProviderControlRoute[] = [
    {
      // Every inquiry made at run time on a customer's file, soft ones included (the consumer's own view).
      method: 'GET',
      template: '/inquiries/{customerId}',
      handle: (params) => json(200, { inquiries: recorded.get(params.customerId ?? '') ?? [] }),
    },
  ];

  return {
    id: 'bureau',
    basePath: bureauBasePath,
    routes,
    control,
    reset: () => recorded.clear(),
    failure(kind) {
      if (kind === 'unavailable') return bureauError(503, '5030', 'Service Unavailable', 'The service is temporarily unavailable.');
      if (kind === 'internal') return bureauError(500, '5000', 'Internal Server Error', 'An unexpected error occurred.');
      return bureauError(404, '4041', 'Resource Not Found', 'The requested resource was not found.');
    },
  };
}
