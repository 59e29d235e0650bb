// The permissible-purpose rules in one table: which purposes need the customer's consent on record, and which may make
// a HARD inquiry. Reviews, employment, insurance and collection pulls are soft in practice (lenders never see them);
// a hard inquiry is for a credit application, made by the lender or on the customer's written instruction.
import { badUserInput } from '../../lib/errors/index.js';
import type { InquiryType, PermissiblePurpose } from './domain.js';

export interface PurposeRule {
  /** The customer's consent must be on record (WRITTEN_INSTRUCTION: their instruction; EMPLOYMENT: 604(b)(2)). */
  readonly needsConsent: boolean;
  readonly allowsHard: boolean;
}

export const purposeRules: Readonly<Record<PermissiblePurpose, PurposeRule>> = {
  CREDIT_TRANSACTION: { needsConsent: false, allowsHard: true },
  ACCOUNT_REVIEW: { needsConsent: false, allowsHard: false },
  WRITTEN_INSTRUCTION: { needsConsent: true, allowsHard: true },
  EMPLOYMENT: { needsConsent: true, allowsHard: false },
  INSURANCE_UNDERWRITING: { needsConsent: false, allowsHard: false },
  COLLECTION: { needsConsent: false, allowsHard: false },
};

/** Refuses a HARD inquiry for a purpose that is soft-only, before anything is asked of the bureau. */
export function assertInquiryAllowed(purpose: PermissiblePurpose, inquiry: InquiryType): void {
  if (inquiry === 'HARD' && !purposeRules[purpose].allowsHard) {
    throw badUserInput(`A ${purpose} pull is a soft inquiry; HARD is not permitted for it`, { argument: 'inquiry' });
  }
}
