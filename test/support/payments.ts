// A stored payment as the payment stores keep it, for the store tests (in-process, Redis, Cluster, Sentinel): an ACH
// transfer of 1.00 USD, pending, whose every field a test may override.
import type { Payment } from '../../subgraphs/payments/domain.js';

export function samplePayment(id: string, overrides: Partial<Payment> = {}): Payment {
  const tenant = overrides.tenant ?? 'acme';
  const createdAt = overrides.createdAt ?? '2026-11-20T10:00:00.000Z';
  return {
    id,
    tenant,
    ownerId: `cus_${tenant}`,
    sourceAccountId: `acc_${tenant}`,
    initiatedBy: `cus_${tenant}`,
    rail: 'ACH',
    amountMinor: '100',
    currency: 'USD' as Payment['currency'],
    counterparty: { name: 'P', maskedAccountNumber: '••••1234', routingNumber: '021000021', sortCode: null, maskedIban: null, bic: null },
    reference: null,
    provider: 'transfers',
    upstreamId: `up-${tenant}-${id}`,
    createdAt,
    status: 'PENDING',
    updatedAt: createdAt,
    statusHistory: [{ status: 'PENDING', at: createdAt, source: 'initiation' }],
    ...overrides,
  };
}
