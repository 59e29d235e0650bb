// The processor's words for a payment's state (Stripe PaymentIntent statuses, and the one event that reports a
// failure) mapped onto FinGraph's PaymentStatus; the ranks that order them are in statusMachine.ts.
//   requires_payment_method / requires_confirmation / requires_action → PENDING
//   processing → PROCESSING, succeeded → SETTLED, canceled → CANCELLED
//   event payment_intent.payment_failed → FAILED (Stripe moves the intent back to requires_payment_method)
import type { PaymentStatus } from '../../statusMachine.js';

/** A Stripe PaymentIntent's status (and, for a failure, the event that said so) as a PaymentStatus. */
export function fromProcessor(intentStatus: string, eventType?: string): PaymentStatus | undefined {
  if (eventType === 'payment_intent.payment_failed') return 'FAILED';
  switch (intentStatus) {
    case 'requires_payment_method':
    case 'requires_confirmation':
    case 'requires_action':
      return 'PENDING';
    case 'processing':
      return 'PROCESSING';
    case 'succeeded':
      return 'SETTLED';
    case 'canceled':
      return 'CANCELLED';
    default:
      return undefined;
  }
}
