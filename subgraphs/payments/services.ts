// The payments subgraph's process-wide parts.
import type { Cache } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import type { PaymentsConfig } from './config.js';

export interface PaymentsServices {
  readonly cache: Cache;
}

export function createPaymentsServices(_config: PaymentsConfig, _logger: Logger, cache: Cache): PaymentsServices {
  return { cache };
}
