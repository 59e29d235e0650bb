// The credit subgraph's process-wide parts.
import type { Cache } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import type { CreditConfig } from './config.js';

export interface CreditServices {
  readonly cache: Cache;
}

export function createCreditServices(_config: CreditConfig, _logger: Logger, cache: Cache): CreditServices {
  return { cache };
}
