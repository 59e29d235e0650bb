// The payments subgraph's configuration, read once from the environment and validated at start-up.
import { type AuditConfig, auditProductionSettings, readAuditConfig } from '../../lib/audit/config.js';
import { ConfigError, type Env, readInt, readOptionalString } from '../../lib/config/env.js';
import { isDevelopment, required } from '../../lib/config/mode.js';
import { REDIS_SETTING } from '../../lib/redis/index.js';
import { readSubgraphBaseConfig, readUpstreamUrl, type SubgraphBaseConfig } from '../../lib/subgraph/config.js';

export interface PaymentsConfig extends SubgraphBaseConfig {
  /** Where payments and cancellations are audited (AUDIT_*, lib/audit/config.ts). */
  readonly audit: AuditConfig;
  readonly processorUrl: string;
  readonly transfersUrl: string;
  /** Deadline of one call to a payment provider. */
  readonly providerTimeoutMs: number;
  /** Secrets the providers sign their webhooks with. */
  readonly processorWebhookSecret: string;
  readonly transfersWebhookSecret: string;
  /** How old a webhook may be (by its signed timestamp) and still be applied. */
  readonly webhookToleranceSeconds: number;
  /** How long an idempotency record lives (at least 24 h). */
  readonly idempotencyTtlHours: number;
  /** How long one caller may hold an idempotency key before another may take over. */
  readonly idempotencyLeaseMs: number;
}

/** Development secrets, the sandbox's defaults; only development accepts them. */
const DEV_PROCESSOR_WEBHOOK_SECRET = 'whsec_fingraph_dev_processor_0123456789abcdef';
const DEV_TRANSFERS_WEBHOOK_SECRET = 'fingraph-dev-transfers-webhook-secret-0123456789';

function readSecret(env: Env, name: string, development: string): string {
  const value = readOptionalString(env, name);
  if (value === undefined) {
    if (!isDevelopment(env)) throw new ConfigError(name, "the provider's webhook signing secret (required outside development)", undefined);
    return development;
  }
  if (value.length < 16) throw new ConfigError(name, 'a secret of at least 16 characters', '[hidden]');
  if (!isDevelopment(env) && value === development) throw new ConfigError(name, 'a secret of its own, not the development one', '[hidden]');
  return value;
}

export function readPaymentsConfig(env: Env): PaymentsConfig {
  // Idempotency records and payments must outlive a replica and be seen by all of them: Redis outside development.
  const base = readSubgraphBaseConfig(env, 'payments', 4003, {
    upstreamUrls: ['PROCESSOR_URL', 'TRANSFERS_URL'],
    production: [
      ...auditProductionSettings(env),
      { ...REDIS_SETTING, what: 'a Redis for idempotency records and payments, shared by every replica' },
      required('CACHE_ENCRYPTION_KEYS', "the cache's encryption keys, shared by every replica"),
      required('PROCESSOR_WEBHOOK_SECRET', "the processor's webhook signing secret"),
      required('TRANSFERS_WEBHOOK_SECRET', "the transfer provider's webhook signing secret"),
    ],
  });
  const providerTimeoutMs = readInt(env, 'PAYMENTS_PROVIDER_TIMEOUT_MS', 10_000, { min: 50, max: 60_000 });
  const idempotencyLeaseMs = readInt(env, 'PAYMENTS_IDEMPOTENCY_LEASE_MS', 45_000, { min: 1000, max: 300_000 });
  // A lease shorter than the holder's provider calls would let a second request take over while the first is still
  // waiting on the provider: both would then send the key at once, which a real provider refuses as "in use". A bank
  // transfer makes up to three calls (the funding source, the creation, the created transfer), each within the timeout.
  const leastLeaseMs = 3 * providerTimeoutMs + 1000;
  if (idempotencyLeaseMs < leastLeaseMs) {
    throw new ConfigError(
      'PAYMENTS_IDEMPOTENCY_LEASE_MS',
      `at least three PAYMENTS_PROVIDER_TIMEOUT_MS and a second (${leastLeaseMs})`,
      String(idempotencyLeaseMs),
    );
  }
  return {
    ...base,
    audit: readAuditConfig(env, 'payments'),
    processorUrl: readUpstreamUrl(env, base.upstreamBaseUrl, 'PROCESSOR_URL', '/processor'),
    transfersUrl: readUpstreamUrl(env, base.upstreamBaseUrl, 'TRANSFERS_URL', '/transfers'),
    providerTimeoutMs,
    processorWebhookSecret: readSecret(env, 'PROCESSOR_WEBHOOK_SECRET', DEV_PROCESSOR_WEBHOOK_SECRET),
    transfersWebhookSecret: readSecret(env, 'TRANSFERS_WEBHOOK_SECRET', DEV_TRANSFERS_WEBHOOK_SECRET),
    webhookToleranceSeconds: readInt(env, 'PAYMENTS_WEBHOOK_TOLERANCE_SECONDS', 300, { min: 10, max: 3600 }),
    idempotencyTtlHours: readInt(env, 'PAYMENTS_IDEMPOTENCY_TTL_HOURS', 24, { min: 24, max: 720 }),
    idempotencyLeaseMs,
  };
}
