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
