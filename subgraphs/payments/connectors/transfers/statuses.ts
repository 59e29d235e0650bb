// The transfer provider's words for a payment's state (a transfer's status, and the topic of the webhook event that
// reports it) mapped onto FinGraph's PaymentStatus; the ranks that order them are in statusMachine.ts.
//   pending (transfer_created) → PENDING, processed (transfer_completed) → SETTLED,
//   failed (transfer_failed) → FAILED, cancelled (transfer_cancelled) → CANCELLED
import type { PaymentStatus } from '../../statusMachine.js';

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
