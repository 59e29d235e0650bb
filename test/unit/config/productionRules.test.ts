// Production rules are the default: only NODE_ENV=development gets the development keys, secrets, credentials and
// in-process stores. Any other value, or none, refuses to start without every production setting, naming them all
// in one message; with them, each service's configuration reads.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEVELOPMENT_KEYS_MARKER, readGatewayConfig } from '../../../gateway/config.js';
import { ConfigError, type Env } from '../../../lib/config/env.js';
import { MissingSettingsError, readRuntimeMode } from '../../../lib/config/mode.js';
import { fromRoot } from '../../../lib/config/paths.js';
import { readAccountsConfig } from '../../../subgraphs/accounts/config.js';
import { readCreditConfig } from '../../../subgraphs/credit/config.js';
import { DEV_KYC_WEBHOOK_TOKEN, readIdentityConfig } from '../../../subgraphs/identity/config.js';
import { readPaymentsConfig } from '../../../subgraphs/payments/config.js';
import { productionEnv, productionVariables, type ServiceName, serviceNames, soleSettings } from '../../support/productionEnv.js';
import { testKeys } from '../../support/tokens.js';

const readers: Record<ServiceName, (env: Env) => unknown> = {
  gateway: readGatewayConfig,
  accounts: readAccountsConfig,
  identity: readIdentityConfig,
  payments: readPaymentsConfig,
  credit: readCreditConfig,
};
const redisUrl = 'redis://127.0.0.1:1';
const notDevelopment = [undefined, 'production', 'staging', 'prod', 'Development', 'develop', ''];

function refusal(read: () => unknown): ConfigError {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail('expected a configuration error');
}

describe('runtime mode', () => {
  it('is development only when NODE_ENV says exactly that', () => {
    assert.equal(readRuntimeMode({ NODE_ENV: 'development' }), 'development');
    assert.equal(readRuntimeMode({ NODE_ENV: ' development ' }), 'development');
    for (const value of notDevelopment) assert.equal(readRuntimeMode({ NODE_ENV: value }), 'production', String(value));
  });
});

describe('production rules outside development', () => {
  for (const service of serviceNames) {
    it(`${service}: refuses with no settings under every NODE_ENV but development, naming every missing one at once`, () => {
      for (const NODE_ENV of notDevelopment) {
        const error = refusal(() => readers[service]({ NODE_ENV }));
        assert.ok(error instanceof MissingSettingsError, `${service} with NODE_ENV=${NODE_ENV}: ${error.message}`);
        assert.deepEqual([...error.variables].sort(), [...productionVariables[service]].sort());
        for (const variable of productionVariables[service]) assert.match(error.message, new RegExp(`\\b${variable}\\b`));
      }
    });

    it(`${service}: refuses without a key source, Redis or an upstream location, naming the alternatives`, () => {
      const full = productionEnv(service, { redisUrl });
      const groups = [['JWT_PUBLIC_KEY_FILES'], ['UPSTREAM_BASE_URL'], ['REDIS_URL']].filter(
        ([name]) => name !== undefined && name in full,
      );
      for (const [variable] of groups) {
        const error = refusal(() => readers[service]({ ...full, [variable as string]: undefined }));
        assert.ok(
          error instanceof MissingSettingsError && error.variables.includes(variable as string) && error.variables.length > 1,
          error.message,
        );
      }
    });

    it(`${service}: reads its configuration with the production settings`, () => {
      for (const NODE_ENV of [undefined, 'staging']) assert.ok(readers[service]({ NODE_ENV, ...productionEnv(service, { redisUrl }) }));
    });

    it(`${service}: names exactly the one setting left out`, () => {
      const full = productionEnv(service, { redisUrl });
      for (const variable of soleSettings[service]) {
        const error = refusal(() => readers[service]({ ...full, [variable]: undefined }));
        assert.equal(error.variable, variable, error.message);
      }
    });
  }

  it('takes every upstream URL instead of UPSTREAM_BASE_URL, and refuses half of them', () => {
    const { UPSTREAM_BASE_URL: _base, ...identity } = productionEnv('identity', { redisUrl });
    const urls = {
      DIRECTORY_URL: 'https://directory.example/v1',
      KYC_URL: 'https://kyc.example/v3.6',
      SANCTIONS_URL: 'https://sanctions.example/v1',
    };
    const config = readIdentityConfig({ ...identity, ...urls });
    assert.equal(config.kycUrl, urls.KYC_URL);
    assert.equal(config.upstreamBaseUrl, undefined);
    const error = refusal(() => readIdentityConfig({ ...identity, ...urls, SANCTIONS_URL: undefined }));
    assert.ok(error instanceof MissingSettingsError && error.variables.includes('SANCTIONS_URL'));
  });

  it('refuses the development conveniences even when given explicitly', () => {
    const gateway = productionEnv('gateway', { redisUrl });
    assert.equal(refusal(() => readGatewayConfig({ ...gateway, ALLOW_INTROSPECTION: 'true' })).variable, 'ALLOW_INTROSPECTION');
    const keyFolder = mkdtempSync(join(tmpdir(), 'fingraph-devkeys-'));
    writeFileSync(join(keyFolder, 'dev-jwt-public.pem'), testKeys.publicKeyPem);
    writeFileSync(join(keyFolder, DEVELOPMENT_KEYS_MARKER), '');
    assert.equal(
      refusal(() => readGatewayConfig({ ...gateway, JWT_PUBLIC_KEY_FILES: join(keyFolder, 'dev-jwt-public.pem') })).variable,
      'JWT_PUBLIC_KEY_FILES',
    );
    assert.equal(
      refusal(() => readIdentityConfig({ ...productionEnv('identity', { redisUrl }), KYC_WEBHOOK_TOKEN: DEV_KYC_WEBHOOK_TOKEN })).variable,
      'KYC_WEBHOOK_TOKEN',
    );
    const committed = fromRoot('sandbox', 'credentials.dev.json');
    assert.equal(
      refusal(() => readAccountsConfig({ ...productionEnv('accounts', { redisUrl }), UPSTREAM_CREDENTIALS_FILE: committed })).variable,
      'UPSTREAM_CREDENTIALS_FILE',
    );
    const payments = productionEnv('payments', { redisUrl });
    assert.equal(
      refusal(() => readPaymentsConfig({ ...payments, PROCESSOR_WEBHOOK_SECRET: 'whsec_fingraph_dev_processor_0123456789abcdef' }))
        .variable,
      'PROCESSOR_WEBHOOK_SECRET',
    );
  });
});

describe('development rules, when asked for', () => {
  it('start the subgraphs with only their internal keys, on the sandbox and in-process stores, and the gateway with introspection', () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    const development = { NODE_ENV: 'development' };
    assert.equal(readPaymentsConfig({ ...development, PAYMENTS_INTERNAL_KEY: key }).redis, undefined);
    assert.equal(readCreditConfig({ ...development, CREDIT_INTERNAL_KEY: key }).redis, undefined);
    assert.equal(readIdentityConfig({ ...development, IDENTITY_INTERNAL_KEY: key }).kycWebhookToken, DEV_KYC_WEBHOOK_TOKEN);
    assert.match(readAccountsConfig({ ...development, ACCOUNTS_INTERNAL_KEY: key }).fxUrl, /^http:\/\/127\.0\.0\.1:4100\//);
    const gateway = {
      ...development,
      JWT_PUBLIC_KEY_FILES: productionEnv('gateway', { redisUrl }).JWT_PUBLIC_KEY_FILES,
      INTERNAL_TOKEN_SECRET: key,
      ALLOW_INTROSPECTION: 'true',
    };
    assert.equal(readGatewayConfig(gateway).allowAnonymousIntrospection, true);
    assert.equal(readGatewayConfig(gateway).jwt.issuer, 'https://auth.fingraph.local/');
  });
});
