// The one status state machine for payments, and how both providers' statuses map onto it.
//
//   PENDING ──▶ PROCESSING ──▶ SETTLED
//      │            │    └────▶ FAILED
//      └────────────┴─────────▶ CANCELLED
//
// Every status has a rank; a change is applied only when it raises the rank, so a late, duplicated or out-of-order
// event changes nothing (a `processing` event after `succeeded` is ignored), and the three terminal statuses share
// the top rank, so one terminal status never replaces another.
//
// Each provider maps its own status words onto these in its folder: connectors/processor/statuses.ts.
//
// transfers (Dwolla-like transfer)
//   pending → PENDING, processed → SETTLED, failed → FAILED, cancelled → CANCELLED

export const paymentStatuses = ['PENDING', 'PROCESSING', 'SETTLED', 'FAILED', 'CANCELLED'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export const statusRank: Readonly<Record<PaymentStatus, number>> = {
  PENDING: 1, PROCESSING: 2, SETTLED: 3, FAILED: 3, CANCELLED: 3,
};

export function isTerminal(status: PaymentStatus): boolean {
  return statusRank[status] === 3;
}

/** Whether moving from `current` to `next` is a forward step (the only kind applied). */
export function advances(current: PaymentStatus, next: PaymentStatus): boolean {
  return statusRank[next] > statusRank[current];
}

/** A transfer's status as a PaymentStatus. */
export function fromTransfers(transferStatus: string): PaymentStatus | undefined {
  switch (transferStatus) {
    case 'pending':
      return 'PENDING';
    case 'processed':
      return 'SETTLED';
    case 'failed':
      return 'FAILED';
    case 'cancelled':
      return 'CANCELLED';
    default:
      return undefined;
  }
}

/** A transfer webhook's topic as the status it reports. */
export function fromTransfersTopic(topic: string): PaymentStatus | undefined {
  switch (topic) {
    case 'transfer_created':
      return 'PENDING';
    case 'transfer_completed':
      return 'SETTLED';
    case 'transfer_failed':
      return 'FAILED';
    case 'transfer_cancelled':
      return 'CANCELLED';
    default:
      return undefined;
  }
}
