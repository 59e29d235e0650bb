// The credit subgraph's domain: permissible purposes, inquiries, scores and reports as the resolvers serve them, free
// of the bureau's wire codes (connectors/bureau.ts translates).
import type { Money } from '../../lib/money/index.js';

export const permissiblePurposes = [
  'CREDIT_TRANSACTION',
  'ACCOUNT_REVIEW',
  'WRITTEN_INSTRUCTION',
  'EMPLOYMENT',
  'INSURANCE_UNDERWRITING',
  'COLLECTION',
] as const;
export type PermissiblePurpose = (typeof permissiblePurposes)[number];

export type InquiryType = 'SOFT' | 'HARD';
export type ScoreModel = 'FICO_8' | 'VANTAGESCORE_4';
export type TradelineType = 'CREDIT_CARD' | 'CHARGE_ACCOUNT' | 'MORTGAGE' | 'AUTO_LOAN' | 'STUDENT_LOAN' | 'PERSONAL_LOAN' | 'OTHER';
export type TradelineStatus = 'CURRENT' | 'CLOSED' | 'PAST_DUE_30' | 'PAST_DUE_60' | 'PAST_DUE_90' | 'COLLECTION' | 'CHARGED_OFF' | 'OTHER';

/** Both models the bureau offers score on 300–850. */
export const scoreRanges: Readonly<Record<ScoreModel, { readonly min: number; readonly max: number }>> = {
  FICO_8: { min: 300, max: 850 },
  VANTAGESCORE_4: { min: 300, max: 850 },
};

export interface CreditScore {
  readonly score: number;
  readonly model: ScoreModel;
  readonly factors: readonly string[];
  /** ISO 8601. */
  readonly asOf: string;
}

export interface Tradeline {
  readonly creditor: string;
  readonly type: TradelineType;
  readonly balance: Money | null;
  readonly status: TradelineStatus;
  readonly openedOn: string | null;
}

export interface CreditInquiry {
  readonly date: string;
  readonly creditor: string;
  readonly type: InquiryType;
}

/** What one pull returns. */
export interface CreditFile {
  readonly bureau: 'EXPERIAN';
  readonly score: CreditScore;
  readonly pulledAt: string;
  readonly tradelines: readonly Tradeline[];
  readonly inquiries: readonly CreditInquiry[];
}

export interface CreditReport extends CreditFile {
  readonly purpose: PermissiblePurpose;
  readonly inquiry: InquiryType;
}
