// The Customer entity's credit fields. The score is a soft ACCOUNT_REVIEW pull, cached per tenant and customer for
// hours; a report is pulled for the caller's purpose every time it is asked for, after the purpose's rules are met.
// Checks run in an order that leaks nothing: whose row it is, then the request's own validity, then existence in the
// tenant, then consent, and only then the bureau.

import { assertCanReadCustomer } from '../../../lib/auth/rowAccess.js';
import { customerTag, TENANT_TAG } from '../../../lib/cache/index.js';
import { ErrorCode, hardInquiryRecent, isFinGraphError, notFound, purposeConsentRequired } from '../../../lib/errors/index.js';
import { assertStaff } from '../access.js';
import type { CreditContext } from '../context.js';
import type { CustomerResolvers } from '../generated/resolvers.js';
import { assertInquiryAllowed, purposeRules } from '../purposes.js';
import { pullFromBureau } from './pull.js';

async function assertExists(context: CreditContext, customerId: string): Promise<void> {
  if (!(await context.loaders.customerExists.load(customerId))) throw notFound('Customer');
}

export const Customer: CustomerResolvers = {
  // Entity references arrive as { id }; each field checks the row itself, so a refusal lands at that field's path.
  __resolveReference: (reference) => ({ id: reference.id }),

  async creditScore(customer, _, context) {
    const { principal, services } = context;
    assertCanReadCustomer(principal, customer.id);
    await assertExists(context, customer.id);
    return services.cache.readThrough({
      policy: services.cachePolicy.creditScore,
      scope: { tenant: principal.tenant },
      key: [customer.id, services.scoreModel],
      tags: [TENANT_TAG, customerTag(customer.id)],
      load: async () => (await pullFromBureau(context, customer.id, 'ACCOUNT_REVIEW', 'SOFT', 'score')).score,
    });
  },

  async creditReport(customer, args, context) {
    const { principal, services } = context;
    assertCanReadCustomer(principal, customer.id);
    assertStaff(principal);
    assertInquiryAllowed(args.purpose, args.inquiry);
    await assertExists(context, customer.id);
    if (purposeRules[args.purpose].needsConsent && !(await services.consents.find(principal.tenant, customer.id, args.purpose))) {
      throw purposeConsentRequired(args.purpose);
    }
    const hard = args.inquiry === 'HARD';
    if (hard && !(await services.hardInquiries.claim(principal.tenant, customer.id, args.purpose))) throw hardInquiryRecent();
    let file: Awaited<ReturnType<typeof pullFromBureau>>;
    try {
      file = await pullFromBureau(context, customer.id, args.purpose, args.inquiry, 'report');
    } catch (error) {
      // A timeout may have reached the bureau: the mark stays. Any other failure is the bureau's "no pull made".
      const maybeRecorded = isFinGraphError(error) && error.code === ErrorCode.UPSTREAM_TIMEOUT;
      if (hard && !maybeRecorded) await services.hardInquiries.release(principal.tenant, customer.id, args.purpose);
      throw error;
    }
    return { ...file, purpose: args.purpose, inquiry: args.inquiry };
  },
};
