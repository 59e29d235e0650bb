// The identity domain: what connectors turn the directory's, the KYC provider's and the screening service's formats into.

/** The directory's record: no personal data beyond name and e-mail; the rest is with the KYC applicant. */
export interface CustomerProfile {
  readonly id: string;
  readonly displayName: string;
  readonly email: string;
  readonly kycApplicantId: string | null;
}

export interface Address {
  readonly line1: string;
  readonly line2: string | null;
  readonly city: string;
  readonly postalCode: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
}

/** Personal data, from the KYC provider's applicant. */
export interface PersonalData {
  readonly phone: string | null;
  /** YYYY-MM-DD. */
  readonly dateOfBirth: string | null;
  readonly taxId: string | null;
  readonly address: Address | null;
}

export type KycStatus = 'NOT_STARTED' | 'PENDING' | 'CLEAR' | 'CONSIDER';

export interface KycVerification {
  readonly status: KycStatus;
  /** When the check behind the status was run; null when none has completed. */
  readonly checkedAt: string | null;
  readonly provider: string;
  /** Why a check asks for review: one stable code per report that did not come back clear. */
  readonly reasons: readonly string[];
}

export interface SanctionsMatch {
  readonly name: string;
  readonly score: number;
  readonly listEntryId: string;
  readonly programs: readonly string[];
  readonly list: string;
}

export interface SanctionsScreening {
  readonly status: 'CLEAR' | 'POTENTIAL_MATCH';
  readonly screenedAt: string;
  readonly matches: readonly SanctionsMatch[];
}
