// The one way a payment's status changes after initiation (a webhook, a cancellation): forward only, through the
// store's atomic transition, and every applied change drops what the caches hold about the payment and about its
// source account (balances and transactions, under the accounts subgraph's `account:<id>` tag in the shared cache).

import { accountTag, paymentTag } from '../../lib/cache/index.js';
import type { Payment } from './domain.js';
import type { PaymentsServices } from './services.js';
import type { PaymentStatus } from './statusMachine.js';

export async function applyStatus(
  services: PaymentsServices,
  payment: Pick<Payment, 'tenant' | 'id' | 'sourceAccountId'>,
  status: PaymentStatus,
  source: string,
): Promise<boolean> {
  const applied = await services.store.transition(payment.tenant, payment.id, { status, at: new Date().toISOString(), source });
  // Only a change drops the caches: an event that changes nothing must not cost the account a bank read. (A drop that
  // cannot reach Redis is logged by the cache; entries then end at their freshness, 15 s for balances.)
  if (applied) await services.cache.invalidate({ tenant: payment.tenant }, [paymentTag(payment.id), accountTag(payment.sourceAccountId)]);
  return applied;
}
