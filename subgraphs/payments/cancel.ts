// cancelPayment: asks the payment's provider to cancel it and records what the provider answers. A payment that has
// already settled, failed or been cancelled, or that its provider no longer lets go, is BAD_USER_INPUT with
// reason NOT_CANCELLABLE; its status is refreshed from the provider on the way.
import type { Principal } from '../../lib/auth/principal.js';
import { badUserInput } from '../../lib/errors/index.js';
import { assertCanMove } from './access.js';
import type { Payment } from './domain.js';
import type { PaymentsServices } from './services.js';
import { isTerminal, type PaymentStatus } from './statusMachine.js';
import { applyStatus } from './statusUpdates.js';

const notCancellable = () => badUserInput('This payment can no longer be cancelled', { argument: 'id', reason: 'NOT_CANCELLABLE' });

export async function cancelPayment(services: PaymentsServices, principal: Principal, id: string): Promise<Payment> {
  const payment = assertCanMove(principal, await services.store.get(principal.tenant, id));
  if (isTerminal(payment.status)) throw notCancellable();
  let answer: { status: PaymentStatus } | undefined;
  if (payment.provider === 'processor') {
    answer = await services.processor.cancel(payment.tenant, payment.upstreamId, `fg1-cancel-${payment.id}`);
  } else {
    answer = await services.transfers.cancel(payment.tenant, payment.upstreamId);
  }
  if (!answer) {
    const current =
      payment.provider === 'processor'
        ? await services.processor.retrieve(payment.tenant, payment.upstreamId)
        : await services.transfers.retrieve(payment.tenant, payment.upstreamId);
    await applyStatus(services, payment, current.status, 'provider status');
    throw notCancellable();
  }
  await applyStatus(services, payment, answer.status, 'cancellation');
  return (await services.store.get(principal.tenant, id)) ?? payment;
}
