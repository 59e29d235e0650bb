// The customer's consents to credit pulls that need one. Only a customer token gives or withdraws consent, for itself;
// each grant and withdrawal is audited like a pull (who, which purpose, until when), never with personal data.
import { badUserInput } from '../../../lib/errors/index.js';
import { resourceId, UpstreamAction } from '../../../lib/subgraph/audit.js';
import { customerOf } from '../access.js';
import type { ConsentRecord } from '../consents.js';
import type { MutationResolvers } from '../generated/resolvers.js';
import { purposeRules } from '../purposes.js';

const DEFAULT_VALID_DAYS = 90;
const MAX_VALID_DAYS = 365;
const disclosurePattern = /^[A-Za-z0-9._:-]{1,64}$/;

export const Mutation: MutationResolvers = {
  async grantCreditConsent(_, { input }, context) {
    const { principal, services, logger } = context;
    const customerId = customerOf(principal);
    const { purpose } = input;
    if (!purposeRules[purpose].needsConsent) throw badUserInput(`A ${purpose} pull needs no consent`, { argument: 'purpose' });
    const disclosureId = input.disclosureId ?? null;
    if (disclosureId !== null && !disclosurePattern.test(disclosureId)) {
      throw badUserInput('disclosureId must be 1 to 64 letters, digits, dots, dashes, colons or underscores', { argument: 'disclosureId' });
    }
    // FCRA 604(b)(2): an employment pull needs a clear written disclosure, in a document of its own, and the consumer's
    // written authorisation; the grant names the disclosure it authorises.
    if (purpose === 'EMPLOYMENT' && disclosureId === null) {
      throw badUserInput('An EMPLOYMENT consent must name the disclosure the customer accepted', { argument: 'disclosureId' });
    }
    const days = input.validForDays ?? DEFAULT_VALID_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > MAX_VALID_DAYS) {
      throw badUserInput(`validForDays must be from 1 to ${MAX_VALID_DAYS}`, { argument: 'validForDays' });
    }
    const now = Date.now();
    const record: ConsentRecord = {
      purpose,
      grantedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + days * 86_400_000).toISOString(),
      disclosureId,
    };
    await context.audit.record(
      { action: UpstreamAction.CreditConsentGrant, personalData: true, resource: resourceId('customer', customerId) },
      () => services.consents.grant(principal.tenant, customerId, record),
    );
    logger.info(
      {
        audit: 'credit-consent',
        action: 'grant',
        sub: principal.sub,
        tenant: principal.tenant,
        customerId,
        purpose,
        expiresAt: record.expiresAt,
        disclosureId,
      },
      'credit consent granted',
    );
    return record;
  },

  async revokeCreditConsent(_, { purpose }, context) {
    const { principal, services, logger } = context;
    const customerId = customerOf(principal);
    const revoked = await context.audit.record(
      { action: UpstreamAction.CreditConsentRevoke, personalData: true, resource: resourceId('customer', customerId) },
      () => services.consents.revoke(principal.tenant, customerId, purpose),
    );
    logger.info(
      { audit: 'credit-consent', action: 'revoke', sub: principal.sub, tenant: principal.tenant, customerId, purpose, revoked },
      'credit consent withdrawn',
    );
    return revoked;
  },
};
