// The payments subgraph's process-wide parts: where payments live (Redis, or in-process without it), one connector
// per provider, and the cache (shared with the accounts subgraph, so that a settled payment can drop the balances
// and transactions cached for its source account).
import type { Cache } from '../../lib/cache/index.js';
import { UpstreamClient, type UpstreamClientOptions } from '../../lib/http/upstreamClient.js';
import type { Logger } from '../../lib/logging/logger.js';
import { traceStore } from '../../lib/telemetry/store.js';
import type { PaymentsConfig } from './config.js';
import { ProcessorConnector } from './connectors/processor/index.js';
import { TransfersConnector } from './connectors/transfers/index.js';
import { MemoryPaymentStore } from './store/memoryPaymentStore.js';
import type { PaymentStore } from './store/paymentStore.js';
import { RedisPaymentStore } from './store/redisPaymentStore.js';

export interface PaymentsServices {
  readonly cache: Cache;
  readonly store: PaymentStore;
  readonly processor: ProcessorConnector;
  readonly transfers: TransfersConnector;
  readonly config: PaymentsConfig;
  readonly logger: Logger;
}

export function createPaymentStore(config: PaymentsConfig, logger: Logger): PaymentStore {
  if (!config.redis) {
    logger.warn('payment store: in-process (no Redis configured): idempotency and payments do not survive a restart');
    return tracePaymentStore(new MemoryPaymentStore());
  }
  const store = new RedisPaymentStore({ connection: config.redis, prefix: config.cache.prefix, logger });
  logger.info({ backend: store.kind }, `payment store: ${store.kind}`);
  return tracePaymentStore(store);
}

/** Each call that reads or writes payments is a span (lib/telemetry/store.ts); close is not. */
const tracePaymentStore = (store: PaymentStore): PaymentStore =>
  traceStore('payments', store, [
    'claim',
    'complete',
    'release',
    'save',
    'get',
    'transition',
    'list',
    'findByUpstream',
    'rememberEvent',
    'forgetEvent',
  ]);

/** `observe`: the subgraph's upstream latency histogram (lib/metrics), told of every call each connector makes. */
export function createPaymentsServices(
  config: PaymentsConfig,
  logger: Logger,
  cache: Cache,
  store: PaymentStore,
  observe?: UpstreamClientOptions['observe'],
): PaymentsServices {
  const upstream = logger.child({ component: 'upstream' });
  const client = (provider: string, baseUrl: string) =>
    new UpstreamClient({ provider, baseUrl, timeoutMs: config.providerTimeoutMs, logger: upstream, observe });
  const key = (provider: string) => (tenant: string) => config.credentials(tenant, provider);
  return {
    cache,
    store,
    processor: new ProcessorConnector(client('processor', config.processorUrl), key('processor')),
    transfers: new TransfersConnector(client('transfers', config.transfersUrl), key('transfers')),
    config,
    logger,
  };
}
