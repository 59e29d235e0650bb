// The one status state machine for payments: its statuses, their ranks, and which moves are forward.
//
//   PENDING ──▶ PROCESSING ──▶ SETTLED
//      │            │    └────▶ FAILED
//      └────────────┴─────────▶ CANCELLED
//
// Every status has a rank; a change is applied only when it raises the rank, so a late, duplicated or out-of-order
// event changes nothing (a `processing` event after `succeeded` is ignored), and the three terminal statuses share
// the top rank, so one terminal status never replaces another.
//
// Each provider maps its own status words onto these in its own folder (connectors/processor/statuses.ts,
// connectors/transfers/statuses.ts); this file knows only the ranks.

export const paymentStatuses = ['PENDING', 'PROCESSING', 'SETTLED', 'FAILED', 'CANCELLED'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export const statusRank: Readonly<Record<PaymentStatus, number>> = {
  PENDING: 1,
  PROCESSING: 2,
  SETTLED: 3,
  FAILED: 3,
  CANCELLED: 3,
};

export function isTerminal(status: PaymentStatus): boolean {
  return statusRank[status] === 3;
}

/** Whether moving from `current` to `next` is a forward step (the only kind applied). */
export function advances(current: PaymentStatus, next: PaymentStatus): boolean {
  return statusRank[next] > statusRank[current];
}
