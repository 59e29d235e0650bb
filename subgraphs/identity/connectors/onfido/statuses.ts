// The KYC provider's words for a verification (Onfido's check status and result, and its reports' results) mapped
// onto FinGraph's KycStatus and reasons.
//   no check, or withdrawn → NOT_STARTED; in_progress, awaiting_applicant, paused, reopened → PENDING
//   complete + clear (or no result) → CLEAR; complete + consider → CONSIDER, with the reports that were not clear
import type { KycStatus } from '../../domain.js';

/** A check as far as its status goes (the newest one decides). */
export interface CheckState {
  readonly status: string;
  readonly result?: string | null | undefined;
}

/** A report as far as its verdict goes. */
export interface ReportVerdict {
  readonly name: string;
  readonly result?: string | null | undefined;
  readonly sub_result?: string | null | undefined;
}

export function kycStatusOf(check: CheckState | undefined): KycStatus {
  if (!check || check.status === 'withdrawn') return 'NOT_STARTED';
  if (check.status !== 'complete') return 'PENDING';
  return check.result === 'consider' ? 'CONSIDER' : 'CLEAR';
}

/** The reasons a check asks for review: each report not clear, as `<NAME>_<SUB_RESULT or RESULT>` upper-cased. */
export function reasonsOf(reports: readonly ReportVerdict[]): string[] {
  return reports
    .filter((report) => report.result && report.result !== 'clear')
    .map((report) =>
      `${report.name}_${report.sub_result && report.sub_result !== 'clear' ? report.sub_result : (report.result ?? 'consider')}`.toUpperCase(),
    );
}
