// The identity subgraph's configuration: the KYC webhook token has a development default that production refuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../lib/config/env.js';
import { KYC_DEV_WEBHOOK_TOKEN } from '../../../sandbox/kyc/index.js';
import { DEV_KYC_WEBHOOK_TOKEN, readIdentityConfig } from '../../../subgraphs/identity/config.js';
import { productionEnv } from '../../support/productionEnv.js';

const base = { NODE_ENV: 'development', IDENTITY_INTERNAL_KEY: Buffer.alloc(32, 7).toString('base64') };

describe('identity config', () => {
  it('defaults in development to the token the sandbox signs with, and reads the tenants holding KYC keys', () => {
    const config = readIdentityConfig(base);
    assert.equal(config.kycWebhookToken, KYC_DEV_WEBHOOK_TOKEN);
    assert.equal(DEV_KYC_WEBHOOK_TOKEN, KYC_DEV_WEBHOOK_TOKEN);
    assert.deepEqual([...config.kycTenants].sort(), ['acme', 'globex']);
    assert.equal(config.sanctionsMinScore, 85);
    assert.match(config.kycUrl, /\/kyc\/v3\.6$/);
  });

  it('requires a token of its own outside development, and refuses the development one there', () => {
    const production = { ...productionEnv('identity', { redisUrl: 'redis://127.0.0.1:1' }), NODE_ENV: 'production' };
    assert.throws(
      () => readIdentityConfig({ ...production, KYC_WEBHOOK_TOKEN: undefined }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'KYC_WEBHOOK_TOKEN',
    );
    assert.throws(() => readIdentityConfig({ ...production, KYC_WEBHOOK_TOKEN: DEV_KYC_WEBHOOK_TOKEN }), ConfigError);
    assert.equal(
      readIdentityConfig({ ...production, KYC_WEBHOOK_TOKEN: 'a-production-token-0123456789' }).kycWebhookToken,
      'a-production-token-0123456789',
    );
    assert.throws(() => readIdentityConfig({ ...base, KYC_WEBHOOK_TOKEN: 'short' }), ConfigError);
    assert.throws(() => readIdentityConfig({ ...base, SANCTIONS_MIN_SCORE: '30' }), ConfigError);
  });
});
