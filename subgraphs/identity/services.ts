// The identity subgraph's process-wide parts: one connector per upstream (directory, KYC, sanctions) and the cache.
import type { Cache } from '../../lib/cache/index.js';
import { UpstreamClient, type UpstreamClientOptions } from '../../lib/http/upstreamClient.js';
import type { Logger } from '../../lib/logging/logger.js';
import { identityCachePolicy } from './cachePolicy.js';
import type { IdentityConfig } from './config.js';
import { DirectoryConnector } from './connectors/directory.js';
import { OnfidoConnector } from './connectors/onfido/index.js';
import { SanctionsConnector } from './connectors/sanctions.js';

export interface IdentityServices {
  readonly directory: DirectoryConnector;
  readonly kyc: OnfidoConnector;
  readonly sanctions: SanctionsConnector;
  readonly sanctionsMinScore: number;
  /** The read-through cache in front of every upstream read. */
  readonly cache: Cache;
  readonly cachePolicy: typeof identityCachePolicy;
}

/** `observe`: the subgraph's upstream latency histogram (lib/metrics), told of every call each connector makes. */
export function createIdentityServices(
  config: IdentityConfig,
  logger: Logger,
  cache: Cache,
  observe?: UpstreamClientOptions['observe'],
): IdentityServices {
  const client = (provider: string, baseUrl: string) =>
    new UpstreamClient({
      provider,
      baseUrl,
      timeoutMs: config.upstreamTimeoutMs,
      logger: logger.child({ component: 'upstream' }),
      observe,
    });
  const keyFor = (provider: string) => (tenant: string) => config.credentials(tenant, provider);
  return {
    directory: new DirectoryConnector(client('directory', config.directoryUrl), keyFor('directory')),
    kyc: new OnfidoConnector(client('kyc', config.kycUrl), keyFor('kyc')),
    sanctions: new SanctionsConnector(client('sanctions', config.sanctionsUrl), keyFor('sanctions')),
    sanctionsMinScore: config.sanctionsMinScore,
    cache,
    cachePolicy: identityCachePolicy,
  };
}
