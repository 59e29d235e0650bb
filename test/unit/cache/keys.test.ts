// Keys: scoped by tenant inside a cluster hash tag, versioned twice (policy and global), and free of any part or
// principal in clear.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CacheKeyError, entryKey, getValidTenant, hashTagOf, leaseKey, tagKey } from '../../../lib/cache/keys.js';

const space = { prefix: 'fg', version: '1' };
const accountNumber = 'GB33BUKB20201555555555';

describe('cache keys', () => {
  it('have the documented shape, with the tenant as the cluster hash tag', () => {
    const key = entryKey(space, { tenant: 'acme' }, 'balances', 3, ['northwind', 'acc-1']);
    assert.match(key, /^fg:\{acme\}:balances:v1\.3:[A-Za-z0-9_-]{43}$/);
    assert.equal(hashTagOf(key), 'acme');
    assert.equal(hashTagOf(leaseKey(key)), 'acme');
    assert.equal(hashTagOf(tagKey(space, 'acme', 'account:acc-1')), 'acme');
  });

  it('hold no part, principal or tag in clear', () => {
    const principal = 'customer-7f3a';
    const key = entryKey(space, { tenant: 'acme', principal }, 'accounts', 1, [accountNumber, 'Ada Lovelace']);
    const tag = tagKey(space, 'acme', `account:${accountNumber}`);
    for (const text of [accountNumber, 'Ada', 'Lovelace', principal, '7f3a']) {
      assert.ok(!key.includes(text), `${text} in ${key}`);
      assert.ok(!tag.includes(text), `${text} in ${tag}`);
    }
  });

  it('differ between tenants, principals and versions for the same parts', () => {
    const parts = ['northwind', 'acc-1'];
    const keys = [
      entryKey(space, { tenant: 'acme' }, 'balances', 1, parts),
      entryKey(space, { tenant: 'globex' }, 'balances', 1, parts),
      entryKey(space, { tenant: 'acme', principal: 'p1' }, 'balances', 1, parts),
      entryKey(space, { tenant: 'acme', principal: 'p2' }, 'balances', 1, parts),
      entryKey(space, { tenant: 'acme' }, 'balances', 2, parts),
      entryKey({ prefix: 'fg', version: '2' }, { tenant: 'acme' }, 'balances', 1, parts),
      entryKey(space, { tenant: 'acme' }, 'accounts', 1, parts),
      // The parts are one JSON array: ['a,b'] and ['a', 'b'] cannot collide.
      entryKey(space, { tenant: 'acme' }, 'balances', 1, ['northwind,acc-1']),
    ];
    assert.equal(new Set(keys).size, keys.length);
    assert.notEqual(tagKey(space, 'acme', 'account:1'), tagKey(space, 'globex', 'account:1'));
    assert.equal(entryKey(space, { tenant: 'acme' }, 'balances', 1, parts), keys[0], 'the same inputs give the same key');
  });

  it("refuse a tenant that is not a plain slug, so no key can escape its tenant's slot or be shared", () => {
    for (const tenant of ['Acme', 'a', '', 'acme}', '{acme', 'ac:me', 'acme corp', '9acme', 'a'.repeat(64)]) {
      assert.throws(() => entryKey(space, { tenant }, 'balances', 1, []), CacheKeyError, tenant);
      assert.throws(() => tagKey(space, tenant, 'account:1'), CacheKeyError, tenant);
    }
    assert.throws(() => getValidTenant(undefined), CacheKeyError);
    assert.equal(getValidTenant('a1'), 'a1');
  });

  it('refuse parts that JSON would make ambiguous, without quoting them', () => {
    for (const part of [Number.NaN, Number.POSITIVE_INFINITY, { account: accountNumber }, undefined]) {
      assert.throws(
        () => entryKey(space, { tenant: 'acme' }, 'balances', 1, [part as unknown as string]),
        (error: Error) => {
          assert.ok(error instanceof CacheKeyError);
          assert.ok(!error.message.includes(accountNumber));
          return true;
        },
      );
    }
  });
});
