// Audit events with made-up identifiers only: no personal data values, as in the real trail.
import type { AuditEvent } from '../../../lib/audit/index.js';

export function auditEvent(index: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    type: 'api.call',
    action: 'query',
    personalData: index % 2 === 0,
    at: new Date(Date.UTC(2026, 11, 6, 4, 0, 0, index)).toISOString(),
    outcome: index % 3 === 0 ? 'failure' : 'success',
    failureCode: index % 3 === 0 ? 'FORBIDDEN' : null,
    sub: `user_${index}`,
    tenant: 'tenant_a',
    clientIp: '127.0.0.1',
    userAgent: 'fingraph-test/1.0',
    resource: `customer:cus_${index}`,
    operationName: 'CustomerOverview',
    documentHash: 'a'.repeat(64),
    fieldsServed: ['Customer.name', 'Customer.taxId'],
    fieldsRefused: index % 3 === 0 ? ['CreditReport.score'] : [],
    requestId: `req_${index}`,
    traceId: null,
    ...overrides,
  };
}
