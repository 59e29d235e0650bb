// The accounts subgraph's process-wide parts: one connector per bank (by dialect), the directory and the FX publisher.
import type { Cache } from '../../lib/cache/index.js';
import { UpstreamClient, type UpstreamClientOptions } from '../../lib/http/upstreamClient.js';
import type { Logger } from '../../lib/logging/logger.js';
import { type CachePolicies, resolveCachePolicies } from './cachePolicy.js';
import type { AccountsConfig } from './config.js';
import type { BankConnector } from './connectors/bankConnector.js';
import { CoreBankingConnector } from './connectors/coreBanking.js';
import { DirectoryConnector } from './connectors/directory.js';
import { EcbRatesConnector } from './connectors/ecbRates.js';
import { OpenBankingConnector } from './connectors/openBanking.js';
import type { Institution } from './domain.js';
import { institutions } from './institutions.js';

export interface AccountsServices {
  readonly institutions: readonly Institution[];
  /** The connector for one tenant's view of a bank (core banking keys are per tenant). */
  bank(institutionId: string, tenant: string): BankConnector | undefined;
  readonly directory: DirectoryConnector;
  readonly fx: EcbRatesConnector;
  readonly bankTimeoutMs: number;
  /** The read-through cache in front of every upstream read. */
  readonly cache: Cache;
  /** What is cached for how long (cachePolicy.ts, with CACHE_TTL_OVERRIDES applied). */
  readonly cachePolicy: CachePolicies;
}

/** `observe`: the subgraph's upstream latency histogram (lib/metrics), told of every call each connector makes. */
export function createAccountsServices(
  config: AccountsConfig,
  logger: Logger,
  cache: Cache,
  observe?: UpstreamClientOptions['observe'],
): AccountsServices {
  const connectors = new Map<string, BankConnector>();
  const client = (provider: string, baseUrl: string, timeoutMs: number) =>
    new UpstreamClient({ provider, baseUrl, timeoutMs, logger: logger.child({ component: 'upstream' }), observe });
  const registry = institutions.map(({ path: _path, ...institution }) => institution);
  return {
    institutions: registry,
    bank(institutionId, tenant) {
      const institution = registry.find((entry) => entry.id === institutionId);
      const baseUrl = config.bankUrls.get(institutionId);
      if (!institution || !baseUrl) return undefined;
      const cacheKey = institution.api === 'UK_OPEN_BANKING' ? institutionId : `${institutionId}|${tenant}`;
      let connector = connectors.get(cacheKey);
      if (!connector) {
        if (institution.api === 'UK_OPEN_BANKING') {
          connector = new OpenBankingConnector(
            institution,
            client(institutionId, baseUrl, config.bankTimeoutMs),
            config.openBankingFinancialId,
          );
        } else {
          const key = config.credentials(tenant, institutionId);
          if (!key) return undefined;
          connector = new CoreBankingConnector(institution, client(institutionId, baseUrl, config.bankTimeoutMs), key);
        }
        connectors.set(cacheKey, connector);
      }
      return connector;
    },
    directory: new DirectoryConnector(client('directory', config.directoryUrl, config.upstreamTimeoutMs), (tenant) =>
      config.credentials(tenant, 'directory'),
    ),
    fx: new EcbRatesConnector(client('ecb', config.fxUrl, config.upstreamTimeoutMs)),
    bankTimeoutMs: config.bankTimeoutMs,
    cache,
    cachePolicy: resolveCachePolicies(config.cacheTtlOverrides),
  };
}
