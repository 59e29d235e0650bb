// What the audit record of one API call needs from inside Apollo Server, collected as the request runs. Apollo Server
// hands each operation a shallow copy of the context, so the facts live in one object every copy shares.

import type { AuditReservation } from '../../../lib/audit/sink.js';

export interface RequestAuditFacts {
  /** The place held in the audit queue for this request's record, when it does regulated work. */
  reservation: AuditReservation | undefined;
  /** SHA-256 hex of the document text as received, or the persisted query's hash when it came by hash alone. */
  documentHash: string | null;
  /** The operation's name as the document gives it. */
  operationName: string | null;
  /** The operation's type: query, mutation or subscription. */
  action: string | null;
  /** Scoped fields (a scope guards them) in the operation that runs, by coordinate. */
  readonly served: Set<string>;
  /** Scoped fields the authorisation plugin removed for this caller, by coordinate. */
  readonly refused: Set<string>;
  /** Whether a served field is personal data (scopes.ts). */
  personalData: boolean;
  /** The resources the request's operations name, by id, distinct, first named first (resource.ts). */
  resources: string[];
  /** The first error's `extensions.code` in the response, if it has any error. */
  errorCode: string | null;
  /** Whether the response carried data: a refusal before execution serves none of the selected fields. */
  dataServed: boolean;
}

export function createRequestAuditFacts(): RequestAuditFacts {
  return {
    reservation: undefined,
    documentHash: null,
    operationName: null,
    action: null,
    served: new Set(),
    refused: new Set(),
    personalData: false,
    resources: [],
    errorCode: null,
    dataServed: false,
  };
}
