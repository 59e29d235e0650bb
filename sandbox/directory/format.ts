// Renders seeded customers, organisations and bank links in the directory's wire format.
import { isoSeconds } from '../seed/time.js';
import type { SeedBankLink, SeedCustomer, SeedOrganisation } from '../seed/types.js';

export type BankLinkJson =
  | { institution_id: string; type: 'open_banking'; consent_id: string; access_token: string; consent_expires_at: string }
  | { institution_id: string; type: 'core_banking'; bank_customer_id: string };

/**
 * The directory records the consent as the tenant stored it when the customer authorised it, so a consent the
 * control API expires at the bank still shows its original expiry here (as in real life, the bank says 403).
 */
export function bankLinkJson(link: SeedBankLink): BankLinkJson {
  if (link.type === 'open_banking') {
    return {
      institution_id: link.bank,
      type: 'open_banking',
      consent_id: link.consent.id,
      access_token: link.consent.accessToken,
      consent_expires_at: isoSeconds(link.consent.expiresAt),
    };
  }
  return { institution_id: link.bank, type: 'core_banking', bank_customer_id: link.bankCustomer.id };
}

export function customerJson(customer: SeedCustomer) {
  return {
    object: 'customer',
    id: customer.id,
    display_name: customer.displayName,
    email: customer.email,
    created: customer.created,
    bank_links: customer.links.map(bankLinkJson),
    // Personal data (date of birth, tax id, address, phone) lives with the KYC provider's applicant; the directory,
    // which every subgraph reads, only links to it.
    kyc_applicant_id: customer.kyc.applicantId,
  };
}

export function organisationJson(organisation: SeedOrganisation) {
  return {
    object: 'organisation',
    id: organisation.id,
    name: organisation.name,
    bank_links: organisation.links.map(bankLinkJson),
  };
}
