// The identity subgraph over a shared Redis: personal data, profiles, KYC and screening results are stored encrypted
// (no plaintext of them in Redis), and a check.completed webhook received by one replica reaches another's reads.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { deriveSubgraphKey, signInternalToken } from '../../lib/auth/internalToken.js';
import { createLogger } from '../../lib/logging/logger.js';
import { readIdentityConfig } from '../../subgraphs/identity/config.js';
import { type IdentitySubgraph, startIdentitySubgraph } from '../../subgraphs/identity/server.js';
import { credentials } from '../support/bankTruth.js';
import { contractOperation } from '../support/contract.js';
import { RedisHarness } from '../support/redis.js';
import { type Stack, startStack } from '../support/stack.js';
import { testKeys, tokenFor } from '../support/tokens.js';

interface DirectoryCustomer {
  id: string;
  display_name: string;
  email: string;
  kyc_applicant_id: string;
}

describe('identity with a shared Redis', () => {
  let redis: RedisHarness;
  let stack: Stack;
  let second: IdentitySubgraph;
  let customers: DirectoryCustomer[];

  before(async () => {
    redis = await RedisHarness.start();
    stack = await startStack({ redis });
    await stack.control('/webhooks/kyc', { url: `${new URL(stack.subgraphUrls.identity as string).origin}/webhooks/kyc` });
    second = await startIdentitySubgraph(
      readIdentityConfig({
        NODE_ENV: 'development',
        UPSTREAM_BASE_URL: stack.sandboxUrl,
        IDENTITY_PORT: '0',
        REDIS_URL: redis.url,
        CACHE_ENCRYPTION_KEYS: `test-1:${testKeys.cacheKey.toString('base64')}`,
        IDENTITY_INTERNAL_KEY: deriveSubgraphKey(testKeys.internalSecret, 'identity').toString('base64'),
      }),
      createLogger('identity-2', {
        destination: new Writable({
          write(_chunk, _encoding, done) {
            done();
          },
        }),
      }),
    );
    const page = (await stack.upstream('/directory/v1/customers?limit=100', credentials.acme?.directory as string)) as {
      data: DirectoryCustomer[];
    };
    customers = page.data;
  });
  after(async () => {
    await second.close();
    await stack.close();
    await redis.close();
  });

  async function storedText(): Promise<string> {
    const client = new Redis(redis.url);
    try {
      const parts: string[] = [];
      for (const key of await client.keys('*')) {
        parts.push(`${key}=${(await client.type(key)) === 'string' ? await client.get(key) : (await client.smembers(key)).join(',')}`);
      }
      return parts.join('\n');
    } finally {
      client.disconnect();
    }
  }

  it('stores no personal data in clear', async () => {
    const customer = customers[2] as DirectoryCustomer;
    const response = await stack.graphql(
      `query ($id: ID!) { customer(id: $id) { email phone maskedTaxId dateOfBirth taxId address { line1 postalCode }
      kyc { status } sanctions { status } } }`,
      { token: tokenFor({ role: 'admin', tenant: 'acme' }), variables: { id: customer.id } },
    );
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const served = response.body.data?.customer as {
      email: string;
      phone: string;
      dateOfBirth: string;
      taxId: string;
      address: { line1: string; postalCode: string };
    };
    const stored = await storedText();
    assert.ok(stored.length > 0, 'something was cached');
    for (const secret of [
      served.email,
      served.phone,
      served.dateOfBirth,
      served.taxId,
      served.address.line1,
      served.address.postalCode,
      customer.display_name,
      customer.kyc_applicant_id,
    ]) {
      assert.ok(!stored.includes(secret), `${secret.slice(0, 3)}… is not stored in clear`);
    }
    const pii = await stack.graphql(contractOperation('CustomerPII'), {
      token: tokenFor({ role: 'admin', tenant: 'acme' }),
      variables: { id: customer.id },
    });
    assert.equal((pii.body.data?.customer as { taxId: string }).taxId, served.taxId, 'served again from the cache, decrypted');
  });

  it('lets a webhook received by one replica move the status another replica serves', async () => {
    const { checks } = (await stack.control('/kyc/pending-checks')) as {
      checks: Array<{ check_id: string; customer_id: string; tenant: string }>;
    };
    const pending = checks.find((entry) => entry.tenant === 'acme');
    assert.ok(pending);
    const internal = () =>
      signInternalToken(
        deriveSubgraphKey(testKeys.internalSecret, 'identity'),
        'identity',
        { sub: 'staff-1', tenant: 'acme', customerId: undefined, scopes: ['profile:read', 'kyc:read'], amr: [] },
        'req-replica-0001',
      );
    const statusOnSecond = async () => {
      const response = await stack.graphql('query ($id: ID!) { customer(id: $id) { kyc { status } } }', {
        url: second.url,
        headers: { 'x-fingraph-principal': internal() },
        variables: { id: pending.customer_id },
      });
      assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
      return (response.body.data?.customer as { kyc: { status: string } }).kyc.status;
    };
    assert.equal(await statusOnSecond(), 'PENDING');
    await stack.control(`/kyc/checks/${pending.check_id}/complete`, { result: 'consider' });
    await stack.sandbox.outbox.idle();
    const delivered = (
      (await stack.control('/webhooks')) as { deliveries: Array<{ eventId: string; delivered: boolean }> }
    ).deliveries.some((entry) => entry.eventId.includes(pending.check_id) && entry.delivered);
    assert.ok(delivered, 'the first replica took the event');
    // Redis drops the entry at once; the second replica's small first level hears of it by pub/sub, a moment later.
    let status = await statusOnSecond();
    for (let attempt = 0; attempt < 50 && status === 'PENDING'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await statusOnSecond();
    }
    assert.equal(status, 'CONSIDER');
  });
});
