// The KYC provider's mutable side: checks move from in_progress to complete (through the control API) and back to
// their seeded state on reset. Applicants and their personal data are read straight from the seeded world.
import type { KycReportName, SeedCustomer, World } from '../seed/types.js';

export type CheckStatus = 'in_progress' | 'complete';
export type CheckResult = 'clear' | 'consider';

export interface CheckState {
  readonly customer: SeedCustomer;
  status: CheckStatus;
  result: CheckResult | null;
  /** The report that asks for review when the result is "consider". */
  considerReport: KycReportName | null;
}

export interface KycState {
  readonly applicants: ReadonlyMap<string, SeedCustomer>;
  check(id: string): CheckState | undefined;
  checkForReport(reportId: string): CheckState | undefined;
  /** Checks still running, in seed order. */
  pending(): CheckState[];
  reset(): void;
}

export function createKycState(world: World): KycState {
  const applicants = new Map<string, SeedCustomer>();
  const reportChecks = new Map<string, string>();
  for (const customer of world.customerById.values()) {
    applicants.set(customer.kyc.applicantId, customer);
    for (const reportId of customer.kyc.reportIds) reportChecks.set(reportId, customer.kyc.checkId);
  }
  let checks = new Map<string, CheckState>();
  const reset = () => {
    checks = new Map(
      [...world.customerById.values()].map((customer) => {
        const { kyc } = customer;
        const complete = kyc.outcome !== 'in_progress';
        return [
          kyc.checkId,
          {
            customer,
            status: complete ? 'complete' : 'in_progress',
            result: complete ? (kyc.outcome as CheckResult) : null,
            considerReport: kyc.considerReport,
          } satisfies CheckState,
        ];
      }),
    );
  };
  reset();
  return {
    applicants,
    check: (id) => checks.get(id),
    checkForReport: (reportId) => checks.get(reportChecks.get(reportId) ?? ''),
    pending: () => [...checks.values()].filter((check) => check.status === 'in_progress'),
    reset,
  };
}
