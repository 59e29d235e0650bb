// Connector for the credit bureau (Experian's consumer credit profile API): one POST per pull, with the tenant's own
// key, the permissible purpose and the inquiry type; the answer is validated with zod here and translated from the
// bureau's codes (model indicators, account types, statuses, reason codes, MMDDYYYY dates, whole-dollar amounts) into
// the domain. The consumer is identified by the tenant's customer reference; a production bureau would be sent the
// consumer's identifying PII, which the identity subgraph owns (see README, Credit).
import { z } from 'zod';
import { notFound, upstreamUnavailable } from '../../../lib/errors/index.js';
import type { UpstreamClient } from '../../../lib/http/upstreamClient.js';
import { type CurrencyCode, moneyFromMinor, parseCurrencyCode } from '../../../lib/money/index.js';
import type {
  CreditFile,
  CreditInquiry,
  InquiryType,
  PermissiblePurpose,
  ScoreModel,
  Tradeline,
  TradelineStatus,
  TradelineType,
} from '../domain.js';

export const CREDIT_REPORT_PATH = 'consumerservices/credit-profile/v2/credit-report';

/** The bureau's permissible purpose codes (its subscriber manual's table). */
const purposeCodes: Readonly<Record<PermissiblePurpose, string>> = {
  CREDIT_TRANSACTION: '3F',
  ACCOUNT_REVIEW: '08',
  WRITTEN_INSTRUCTION: '0B',
  EMPLOYMENT: '0E',
  INSURANCE_UNDERWRITING: '0I',
  COLLECTION: '07',
};

const modelIndicators: Readonly<Record<ScoreModel, string>> = { FICO_8: 'F9', VANTAGESCORE_4: 'V4' };

const accountTypes: Readonly<Record<string, TradelineType>> = {
  '18': 'CREDIT_CARD',
  '07': 'CHARGE_ACCOUNT',
  '26': 'MORTGAGE',
  '00': 'AUTO_LOAN',
  '12': 'STUDENT_LOAN',
  '01': 'PERSONAL_LOAN',
};

const statuses: Readonly<Record<string, TradelineStatus>> = {
  '11': 'CURRENT',
  '12': 'CLOSED',
  '71': 'PAST_DUE_30',
  '78': 'PAST_DUE_60',
  '80': 'PAST_DUE_90',
  '93': 'COLLECTION',
  '97': 'CHARGED_OFF',
};

/** Score reason codes and what they tell the customer. */
const reasons: Readonly<Record<string, string>> = {
  '01': 'Amount owed on accounts is too high',
  '02': 'Level of delinquency on accounts',
  '05': 'Too many accounts with balances',
  '08': 'Too many inquiries in the last 12 months',
  '10': 'Proportion of balances to credit limits on revolving accounts is too high',
  '13': 'Time since delinquency is too recent or unknown',
  '14': 'Length of time accounts have been established',
  '18': 'Number of accounts with delinquency',
  '20': 'Length of time since derogatory public record or collection is too short',
  '32': 'Lack of recent installment loan information',
};

const bureauDate = z.string().regex(/^\d{8}$/);
const profile = z.object({
  headerRecord: z.array(z.object({ reportDate: z.string().regex(/^\d{6}$/), reportTime: z.string().regex(/^\d{6}$/) })).min(1),
  riskModel: z.array(
    z.object({
      modelIndicator: z.string(),
      score: z.string().regex(/^\d{4}$/),
      scoreFactors: z.array(z.object({ importance: z.string(), code: z.string() })),
    }),
  ),
  tradeline: z.array(
    z.object({
      subscriberName: z.string(),
      accountType: z.string(),
      openDate: bureauDate.optional(),
      // Whole dollars, zero-padded; "UNK" when the furnisher did not report it.
      balanceAmount: z.string().regex(/^(\d{1,12}|UNK)$/),
      status: z.string(),
    }),
  ),
  inquiry: z.array(z.object({ date: bureauDate, subscriberName: z.string(), type: z.enum(['H', 'S']) })),
});
const creditReportResponse = z.object({ creditProfile: z.array(profile).min(1) });

/** MMDDYYYY → YYYY-MM-DD. */
/** The bureau reports US consumers' balances in whole dollars. */
const USD = parseCurrencyCode('USD') as CurrencyCode;

const isoDay = (date: string) => `${date.slice(4, 8)}-${date.slice(0, 2)}-${date.slice(2, 4)}`;

export interface PullRequest {
  readonly tenant: string;
  readonly customerId: string;
  readonly purpose: PermissiblePurpose;
  readonly inquiry: InquiryType;
  readonly model: ScoreModel;
}

export class BureauConnector {
  readonly bureau = 'EXPERIAN' as const;

  constructor(
    private readonly client: UpstreamClient,
    private readonly apiKeyFor: (tenant: string) => string | undefined,
  ) {}

  async pull(request: PullRequest): Promise<CreditFile> {
    const key = this.apiKeyFor(request.tenant);
    // A tenant without a bureau subscription cannot pull anything: the bureau is unavailable to it.
    if (!key) throw upstreamUnavailable('bureau');
    const indicator = modelIndicators[request.model];
    const body = {
      consumerPii: { primaryApplicant: { customerReference: request.customerId } },
      permissiblePurpose: { type: purposeCodes[request.purpose] },
      inquiryType: request.inquiry,
      addOns: { riskModels: { modelIndicator: [indicator] } },
    };
    const answer = await this.client.postRead(
      { path: CREDIT_REPORT_PATH, headers: { authorization: `Bearer ${key}` } },
      body,
      creditReportResponse,
      (status) => (status === 404 ? notFound('Customer') : undefined),
    );
    const [file] = answer.creditProfile as [z.infer<typeof profile>];
    const risk = file.riskModel.find((entry) => entry.modelIndicator === indicator);
    if (!risk) throw this.client.unusable({ status: 200, issues: [{ path: ['creditProfile', 0, 'riskModel'] }] });
    const header = file.headerRecord[0] as { reportDate: string; reportTime: string };
    const { reportDate: d, reportTime: t } = header;
    // The header's date has a two-digit year; the bureau's reports are of this century.
    const pulledAt = new Date(`20${d.slice(4, 6)}-${d.slice(0, 2)}-${d.slice(2, 4)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}Z`);
    if (Number.isNaN(pulledAt.getTime()))
      throw this.client.unusable({ status: 200, issues: [{ path: ['creditProfile', 0, 'headerRecord'] }] });
    const factors = [...risk.scoreFactors]
      .sort((a, b) => Number(a.importance) - Number(b.importance))
      .map((factor) => reasons[factor.code] ?? `Reason code ${factor.code}`);
    return {
      bureau: this.bureau,
      pulledAt: pulledAt.toISOString(),
      score: { score: Number(risk.score), model: request.model, factors, asOf: pulledAt.toISOString() },
      tradelines: file.tradeline.map(
        (line): Tradeline => ({
          creditor: line.subscriberName,
          type: accountTypes[line.accountType] ?? 'OTHER',
          balance: line.balanceAmount === 'UNK' ? null : moneyFromMinor(BigInt(line.balanceAmount) * 100n, USD),
          status: statuses[line.status] ?? 'OTHER',
          openedOn: line.openDate ? isoDay(line.openDate) : null,
        }),
      ),
      inquiries: file.inquiry.map(
        (entry): CreditInquiry => ({
          date: isoDay(entry.date),
          creditor: entry.subscriberName,
          type: entry.type === 'H' ? 'HARD' : 'SOFT',
        }),
      ),
    };
  }
}
