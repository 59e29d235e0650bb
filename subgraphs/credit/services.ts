// The credit subgraph's process-wide parts: the bureau and directory connectors, the score cache, the consent store.
import type { Cache } from '../../lib/cache/index.js';
import { UpstreamClient, type UpstreamClientOptions } from '../../lib/http/upstreamClient.js';
import type { Logger } from '../../lib/logging/logger.js';
import { creditCachePolicy } from './cachePolicy.js';
import type { CreditConfig } from './config.js';
import { BureauConnector } from './connectors/bureau.js';
import { DirectoryConnector } from './connectors/directory.js';
import type { ConsentStore } from './consents.js';
import type { ScoreModel } from './domain.js';
import type { HardInquiries } from './hardInquiries.js';

export interface CreditServices {
  readonly bureau: BureauConnector;
  readonly directory: DirectoryConnector;
  /** Scores only (cachePolicy.ts); reports are never cached. */
  readonly cache: Cache;
  readonly cachePolicy: typeof creditCachePolicy;
  readonly consents: ConsentStore;
  /** At most one HARD pull per customer and purpose in a window (hardInquiries.ts). */
  readonly hardInquiries: HardInquiries;
  readonly scoreModel: ScoreModel;
}

export function createCreditServices(
  config: CreditConfig,
  logger: Logger,
  cache: Cache,
  consents: ConsentStore,
  hardInquiries: HardInquiries,
  /** The subgraph's upstream latency histogram (lib/metrics), told of every call each connector makes. */
  observe?: UpstreamClientOptions['observe'],
): CreditServices {
  const client = (provider: string, baseUrl: string) =>
    new UpstreamClient({
      provider,
      baseUrl,
      timeoutMs: config.upstreamTimeoutMs,
      logger: logger.child({ component: 'upstream' }),
      observe,
    });
  return {
    bureau: new BureauConnector(client('bureau', config.bureauUrl), (tenant) => config.credentials(tenant, 'bureau')),
    directory: new DirectoryConnector(client('directory', config.directoryUrl), (tenant) => config.credentials(tenant, 'directory')),
    cache,
    cachePolicy: creditCachePolicy,
    consents,
    hardInquiries,
    scoreModel: config.scoreModel,
  };
}
