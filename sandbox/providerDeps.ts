// What a simulated provider may build on: the seeded world, the banks' ledgers (a payment that settles is booked
// there, so the banks' balances move), the clock, the webhook outbox, the sandbox's logger and its latency mode.
import type { Logger } from '../lib/logging/logger.js';
import type { LatencyMode } from './behaviour.js';
import type { LedgerBook } from './seed/ledger.js';
import type { Clock } from './seed/time.js';
import type { World } from './seed/types.js';
import type { WebhookOutbox } from './webhooks/outbox.js';

export interface ProviderDeps {
  readonly world: World;
  readonly ledgers: LedgerBook;
  readonly clock: Clock;
  readonly outbox: WebhookOutbox;
  readonly logger: Logger;
  /** "realistic" (npm start) or "none" (tests): how close to a real upstream's imperfections a provider behaves. */
  readonly latency: LatencyMode;
}
