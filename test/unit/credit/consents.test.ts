// The consent store on both backends (in-process, and a real Redis): a grant is found until it expires, per tenant,
// customer and purpose; a withdrawal removes it; a Redis that is down fails closed with a stable code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FinGraphError } from '../../../lib/errors/index.js';
import { MemoryRecordStore, RedisRecordStore } from '../../../lib/records/index.js';
import { type ConsentRecord, ConsentStore } from '../../../subgraphs/credit/consents.js';
import { assertEvery } from '../../support/assertions.js';
import { RedisHarness } from '../../support/redis.js';

const day = 86_400_000;
const record = (overrides: Partial<ConsentRecord> = {}): ConsentRecord => ({
  purpose: 'EMPLOYMENT',
  grantedAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 30 * day).toISOString(),
  disclosureId: 'fcra-604b-v3',
  ...overrides,
});

function behavesAsAConsentStore(name: string, make: () => ConsentStore) {
  describe(`consents (${name})`, () => {
    it('finds a grant for its tenant, customer and purpose only', async () => {
      const store = make();
      const granted = record();
      await store.grant('acme', 'cus_1', granted);
      assert.deepEqual(await store.find('acme', 'cus_1', 'EMPLOYMENT'), granted);
      assert.equal(await store.find('globex', 'cus_1', 'EMPLOYMENT'), undefined);
      assert.equal(await store.find('acme', 'cus_2', 'EMPLOYMENT'), undefined);
      assert.equal(await store.find('acme', 'cus_1', 'WRITTEN_INSTRUCTION'), undefined);
    });

    it('no longer finds a consent once it has expired', async () => {
      const store = make();
      const expiresAt = Date.now() + 10 * day;
      await store.grant('acme', 'cus_3', record({ expiresAt: new Date(expiresAt).toISOString() }));
      assert.ok(await store.find('acme', 'cus_3', 'EMPLOYMENT', expiresAt - 1));
      assert.equal(await store.find('acme', 'cus_3', 'EMPLOYMENT', expiresAt), undefined);
      await store.grant('acme', 'cus_4', record({ expiresAt: new Date(Date.now() - 1000).toISOString() }));
      assert.equal(await store.find('acme', 'cus_4', 'EMPLOYMENT'), undefined);
    });

    it('forgets a withdrawn consent and says whether there was one', async () => {
      const store = make();
      await store.grant('acme', 'cus_5', record({ purpose: 'WRITTEN_INSTRUCTION', disclosureId: null }));
      assert.equal(await store.revoke('acme', 'cus_5', 'WRITTEN_INSTRUCTION'), true);
      assert.equal(await store.find('acme', 'cus_5', 'WRITTEN_INSTRUCTION'), undefined);
      assert.equal(await store.revoke('acme', 'cus_5', 'WRITTEN_INSTRUCTION'), false);
    });
  });
}

behavesAsAConsentStore('in-process', () => new ConsentStore(new MemoryRecordStore(), 'fg'));

describe('consents (Redis)', () => {
  let redis: RedisHarness;
  let store: ConsentStore;
  before(async () => {
    redis = await RedisHarness.start();
    store = new ConsentStore(new RedisRecordStore({ connection: { mode: 'single', url: redis.url } }), 'fg');
    assert.equal(await store.ready(2000), true);
  });
  after(async () => {
    await store.close();
    await redis.close();
  });

  behavesAsAConsentStore('Redis, shared', () => store);

  it('keeps the tenant in the key’s hash tag and no customer id in clear, with the consent’s own expiry', async () => {
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url);
    try {
      await store.grant('acme', 'cus_visible', record({ expiresAt: new Date(Date.now() + 2 * day).toISOString() }));
      const keys = await client.keys('*credit-consent*');
      assert.ok(keys.length > 0);
      for (const key of keys) {
        assert.match(key, /^fg:\{(acme|globex)\}:credit-consent:v1:/);
        assert.ok(!key.includes('cus_'));
      }
      const ttls = await Promise.all(keys.map((key) => client.pttl(key)));
      assertEvery(ttls, (ttl) => ttl > 0 && ttl <= 30 * day + 1000);
    } finally {
      client.disconnect();
    }
  });

  it('fails closed when Redis is down: UPSTREAM_UNAVAILABLE, never “no consent needed”', async () => {
    await store.grant('acme', 'cus_down', record());
    await redis.stop();
    await assert.rejects(
      store.find('acme', 'cus_down', 'EMPLOYMENT'),
      (error: unknown) =>
        error instanceof FinGraphError && error.code === 'UPSTREAM_UNAVAILABLE' && error.extensions.reason === 'CONSENT_STORE_UNAVAILABLE',
    );
    await assert.rejects(store.grant('acme', 'cus_down', record()), FinGraphError);
  });
});
