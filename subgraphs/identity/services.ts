// The identity subgraph's process-wide parts.
import type { Cache } from '../../lib/cache/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import type { IdentityConfig } from './config.js';

export interface IdentityServices {
  readonly cache: Cache;
}

export function createIdentityServices(_config: IdentityConfig, _logger: Logger, cache: Cache): IdentityServices {
  return { cache };
}
