// Reads from the payment store: a store that cannot be reached is UPSTREAM_UNAVAILABLE for that field, never a crash.
import { upstreamUnavailable } from '../../../lib/errors/index.js';
import { PaymentStoreUnavailableError } from '../store/paymentStore.js';

export async function readStore<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof PaymentStoreUnavailableError) throw upstreamUnavailable('payments');
    throw error;
  }
}
