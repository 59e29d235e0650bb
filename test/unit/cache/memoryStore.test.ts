// The in-process backend: bounded, entries expire, tags drop what they carry, leases are exclusive, and messages
// reach the subscribers of the same store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../../../lib/cache/memoryStore.js';
import { manualClock } from './fixtures.js';

describe('memory store', () => {
  it('holds at most maxEntries, dropping the least recently used', async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await store.set(key, key, 60_000);
    await store.mget(['a']);
    await store.set('d', 'd', 60_000);
    await store.set('e', 'e', 60_000);
    assert.equal(store.size, 3);
    assert.deepEqual(await store.mget(['a', 'b', 'c', 'd', 'e']), ['a', null, null, 'd', 'e']);
  });

  it('expires entries, capped by maxTtlMs', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ maxTtlMs: 30_000, clock: clock.now });
    await store.set('short', 'x', 60_000);
    await store.set('none', 'x', 0);
    assert.deepEqual(await store.mget(['short', 'none']), ['x', null]);
    clock.advance(29_999);
    assert.deepEqual(await store.mget(['short']), ['x']);
    clock.advance(2);
    assert.deepEqual(await store.mget(['short']), [null], 'capped at maxTtlMs, not the 60 s asked for');
  });

  it('drops every key carrying a tag, and only those', async () => {
    const store = new MemoryStore();
    await store.set('k1', '1', 60_000, ['t:a']);
    await store.set('k2', '2', 60_000, ['t:a', 't:b']);
    await store.set('k3', '3', 60_000, ['t:b']);
    await store.tagKeys('t:c', ['k3'], 60_000);
    assert.equal(await store.invalidateTag('t:a'), 2);
    assert.deepEqual(await store.mget(['k1', 'k2', 'k3']), [null, null, '3']);
    assert.equal(await store.invalidateTag('t:a'), 0);
    assert.equal(await store.invalidateTag('t:c'), 1);
    assert.deepEqual(await store.mget(['k3']), [null]);
  });

  it('gives a lease to one caller until it is released or expires', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ clock: clock.now });
    assert.equal(await store.acquireLease('l', 40_000), true);
    assert.equal(await store.acquireLease('l', 40_000), false);
    await store.releaseLease('l');
    assert.equal(await store.acquireLease('l', 20_000), true);
    clock.advance(19_999);
    assert.equal(await store.acquireLease('l', 20_000), false);
    clock.advance(2);
    assert.equal(await store.acquireLease('l', 20_000), true);
  });

  it("delivers published messages to the channel's subscribers, asynchronously", async () => {
    const store = new MemoryStore();
    const received: string[] = [];
    let delivered: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      delivered = resolve;
    });
    await store.subscribe('ch', (message) => {
      received.push(message);
      delivered();
    });
    await store.subscribe('other', () => received.push('wrong channel'));
    const published = store.publish('ch', 'hello');
    assert.deepEqual(received, [], "not run inside the publisher's frame");
    await published;
    await arrived;
    assert.deepEqual(received, ['hello'], 'delivered to its channel only');
  });
});
