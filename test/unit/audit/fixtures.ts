// Audit events with made-up identifiers only: no personal data values, as in the real trail; the lines a writer makes
// of them, and a forger's consistent rewrite of a chain's tail.
import { AuditChain, type AuditEvent, type AuditRecord, genesisHash, recordHash } from '../../../lib/audit/index.js';

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
    otherResources: [],
    operationName: 'CustomerOverview',
    documentHash: 'a'.repeat(64),
    fieldsServed: ['Customer.name', 'Customer.taxId'],
    fieldsRefused: index % 3 === 0 ? ['CreditReport.score'] : [],
    requestId: `req_${index}`,
    traceId: null,
    ...overrides,
  };
}

/** The lines a writer of `stream` produces for events 1..count: the chain is deterministic, so tests can expect them. */
export function expectedLines(stream: string, count: number, first = 1): string[] {
  const chain = new AuditChain(stream);
  for (let index = 1; index < first; index += 1) chain.link(auditEvent(index));
  return Array.from({ length: count }, (_, index) => JSON.stringify(chain.link(auditEvent(first + index))));
}

/**
 * What a forger with write access does to hide an edit from the bare chain: edits the records from `from` (0-based)
 * on and re-hashes each so it links to the one before; the chain then verifies, and only a signed checkpoint sees it.
 */
export function rewriteTail(lines: readonly string[], from: number, edit: (record: AuditRecord) => AuditRecord): string[] {
  const result = [...lines];
  let prevHash = from === 0 ? genesisHash : (JSON.parse(lines[from - 1]!) as AuditRecord).hash;
  for (let index = from; index < lines.length; index += 1) {
    if (lines[index] === '') continue;
    const { hash: _old, ...rest } = { ...edit(JSON.parse(lines[index]!) as AuditRecord), prevHash };
    const hash = recordHash(rest);
    result[index] = JSON.stringify({ ...rest, hash });
    prevHash = hash;
  }
  return result;
}

/**
 * Records for the auditors' questions, over two streams (the gateway's and identity's), each event named by its
 * request id and saying whether it answers one of: customer-reads of cus_1 in [04:00, 05:00), payments of user_p,
 * refusals of tenant_a.
 */
export function queryFixture(): { stream: string; event: AuditEvent }[] {
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 4, minute)).toISOString();
  const gateway = (requestId: string, minute: number, overrides: Partial<AuditEvent>) => ({
    stream: 'gateway-1',
    event: auditEvent(1, {
      requestId,
      at: at(minute),
      personalData: false,
      outcome: 'success',
      failureCode: null,
      fieldsRefused: [],
      ...overrides,
    }),
  });
  const upstream = (requestId: string, minute: number, overrides: Partial<AuditEvent>) => ({
    stream: 'identity-1',
    event: auditEvent(1, {
      type: 'upstream.call',
      requestId,
      at: at(minute),
      personalData: false,
      outcome: 'success',
      failureCode: null,
      operationName: null,
      documentHash: null,
      fieldsServed: [],
      fieldsRefused: [],
      ...overrides,
    }),
  });
  return [
    gateway('read_1', 5, { personalData: true, resource: 'customer:cus_1', sub: 'user_a' }),
    gateway('no_personal', 6, { personalData: false, resource: 'customer:cus_1' }),
    // Refused before execution: nothing served, so no personal data read (as the gateway records it).
    gateway('refused_forbidden', 7, {
      personalData: false,
      resource: 'customer:cus_1',
      outcome: 'failure',
      failureCode: 'FORBIDDEN',
      fieldsServed: [],
    }),
    gateway('other_customer', 8, { personalData: true, resource: 'customer:cus_2' }),
    gateway('read_late', 61, { personalData: true, resource: 'customer:cus_1' }),
    upstream('read_kyc', 9, { action: 'kyc.read', personalData: true, resource: 'customer:cus_1', sub: 'user_b' }),
    // A read that failed read nothing; a partial answer (a bank down beside the profile) served personal data.
    upstream('kyc_failed', 11, {
      action: 'kyc.read',
      personalData: true,
      resource: 'customer:cus_1',
      outcome: 'failure',
      failureCode: 'UPSTREAM_UNAVAILABLE',
    }),
    // Aliases: a decoy first, the customer asked for second; found by either.
    gateway('aliased_read', 13, { personalData: true, resource: 'customer:cus_9', otherResources: ['customer:cus_1'] }),
    gateway('partial_read', 12, {
      personalData: true,
      resource: 'customer:cus_1',
      outcome: 'failure',
      failureCode: 'UPSTREAM_UNAVAILABLE',
    }),
    upstream('pay_create', 10, { action: 'payment.create', sub: 'user_p', resource: 'payment:pay_1' }),
    upstream('pay_cancel', 11, { action: 'payment.cancel', sub: 'user_p', resource: 'payment:pay_1' }),
    upstream('pay_other', 12, { action: 'payment.create', sub: 'user_q', resource: 'payment:pay_2' }),
    gateway('pay_mutation', 13, { action: 'mutation', sub: 'user_p', resource: 'payment:pay_1' }),
    gateway('refused_unauthenticated', 14, { outcome: 'failure', failureCode: 'UNAUTHENTICATED', sub: null, action: null }),
    gateway('rate_limited', 15, { outcome: 'failure', failureCode: 'RATE_LIMITED' }),
    gateway('fields_withheld', 16, { fieldsRefused: ['CreditReport.score'] }),
    gateway('other_tenant', 17, { outcome: 'failure', failureCode: 'FORBIDDEN', tenant: 'tenant_b' }),
    upstream('no_consent', 18, { action: 'credit.pull', outcome: 'failure', failureCode: 'CONSENT_REQUIRED' }),
  ];
}
