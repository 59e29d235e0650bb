// Sensitive values at rest in Redis: no plaintext for anyone reading Redis directly, readable across a key rotation,
// and a tampered, moved or planted value is a miss (load() runs again), never served.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entryKey } from '../../../lib/cache/keys.js';
import { countingLoad, encryptionKeys, policy, redisPerFile } from './fixtures.js';

const space = { prefix: 'fg', version: '1' };
const customer = { name: 'Ada Lovelace', iban: 'GB33BUKB20201555555555', taxId: '123-45-6789', since: new Date('2020-01-02T00:00:00Z') };
const plaintexts = ['Ada', 'Lovelace', 'GB33BUKB20201555555555', '20201555555555', '123-45-6789', 'iban', 'taxId'];
const customers = policy({ namespace: 'customers', sensitive: true });

describe('encryption at rest in Redis', () => {
  const redis = redisPerFile();
  const open = redis.open;
  const keyOf = (tenant: string, parts: string[]) => entryKey(space, { tenant, principal: 'user-1' }, 'customers', 1, parts);

  it('stores no personal data in clear, in values or keys, while ordinary values stay plain', async () => {
    const { cache } = await open({ firstLevel: false });
    const scope = { tenant: 'acme', principal: 'user-1' };
    await cache.readThrough({
      policy: customers,
      scope,
      key: ['GB33BUKB20201555555555'],
      tags: ['customer:123-45-6789'],
      load: async () => customer,
    });
    await cache.readThrough({
      policy: policy({ namespace: 'fx' }),
      scope: { tenant: 'acme' },
      key: ['EUR'],
      load: async () => ({ rate: 'Ada-plain' }),
    });
    const keys = await redis.raw().keys('*');
    assert.ok(keys.length >= 3, `entries and the tag set: ${keys.join(' ')}`);
    let sawPlain = false;
    for (const key of keys) {
      const type = await redis.raw().type(key);
      const values = type === 'set' ? await redis.raw().smembers(key) : [(await redis.raw().get(key)) ?? ''];
      for (const text of [key, ...values]) {
        if (text.includes('Ada-plain')) {
          sawPlain = true;
          continue;
        }
        for (const secret of plaintexts) assert.ok(!text.includes(secret), `${secret} in clear in ${key}`);
      }
    }
    assert.ok(sawPlain, 'the raw read does see ordinary values, so it would see a leak');
    assert.match((await redis.raw().get(keyOf('acme', ['GB33BUKB20201555555555']))) ?? '', /^e1\.a\./);
    assert.deepEqual(
      await cache.readThrough({ policy: customers, scope, key: ['GB33BUKB20201555555555'], load: async () => ({}) }),
      customer,
    );
  });

  it('reads values written under the previous key after rotation, writes under the new one', async () => {
    const { cache: before } = await open({ firstLevel: false, encryption: encryptionKeys('old') });
    const { cache: rotated } = await open({ firstLevel: false, encryption: encryptionKeys('new', 'old') });
    const { cache: forgetful } = await open({ firstLevel: false, encryption: encryptionKeys('new') });
    const scope = { tenant: 'acme', principal: 'user-1' };
    await before.readThrough({ policy: customers, scope, key: ['rot'], load: async () => customer });
    const upstream = countingLoad(() => ({ ...customer, name: 'reloaded' }));
    assert.deepEqual(await rotated.readThrough({ policy: customers, scope, key: ['rot'], load: upstream.load }), customer);
    assert.equal(upstream.calls(), 0, 'the old key still decrypts it');
    assert.equal(
      (await forgetful.readThrough({ policy: customers, scope, key: ['rot'], load: upstream.load })).name,
      'reloaded',
      'a cache without the old key treats it as a miss',
    );
    assert.match((await redis.raw().get(keyOf('acme', ['rot']))) ?? '', /^e1\.new\./);
  });

  it("treats a tampered ciphertext, one moved to another tenant's key, or a planted plaintext as a miss", async () => {
    const { cache } = await open({ firstLevel: false });
    const read = (tenant: string, part: string, load: () => Promise<typeof customer>) =>
      cache.readThrough({ policy: customers, scope: { tenant, principal: 'user-1' }, key: [part], load });
    await read('acme', 'tamper', async () => customer);
    const key = keyOf('acme', ['tamper']);
    const stored = (await redis.raw().get(key)) ?? '';
    const fields = stored.split('.');
    const body = fields[4] ?? '';
    fields[4] = (body[0] === 'A' ? 'B' : 'A') + body.slice(1);
    await redis.raw().set(key, fields.join('.'), 'KEEPTTL');
    const reload = countingLoad(() => ({ ...customer, name: 'fresh from upstream' }));
    assert.equal((await read('acme', 'tamper', reload.load)).name, 'fresh from upstream');
    assert.equal(reload.calls(), 1);

    const globexKey = keyOf('globex', ['tamper']);
    await redis.raw().set(globexKey, stored, 'PX', 60_000);
    const globex = countingLoad(() => ({ ...customer, name: 'globex data' }));
    assert.equal((await read('globex', 'tamper', globex.load)).name, 'globex data', "acme's ciphertext is not globex's value");
    assert.equal(globex.calls(), 1);

    const planted = keyOf('acme', ['planted']);
    await redis
      .raw()
      .set(planted, `p1.${JSON.stringify({ v: { name: 'planted' }, storedAt: 0, freshUntil: 9e15, staleUntil: 9e15 })}`, 'PX', 60_000);
    assert.equal((await read('acme', 'planted', async () => customer)).name, 'Ada Lovelace', 'a sensitive policy reads only ciphertext');
  });
});
