// The write queue: calls of one tick share a batch in order; a failed write stays at the head and is retried with
// bounded back-off while later records queue behind it; a full queue refuses until the sink is back; a fork fails
// closed; close waits a bounded time and says which records were not written; checkpoints are signed when due.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  AuditBatcher,
  AuditChain,
  type AuditCheckpoint,
  AuditForkError,
  AuditQueueFullError,
  type AuditRecord,
  AuditRecordsNotWrittenError,
  checkpointVerifies,
} from '../../../lib/audit/index.js';
import { auditEvent } from './fixtures.js';
import { ManualScheduler } from './manualScheduler.js';

/** A write that fails while `down` is true, and keeps what it was given. */
function flakyStore() {
  const store = {
    down: false,
    attempts: [] as number[][],
    written: [] as AuditRecord[],
    checkpoints: [] as AuditCheckpoint[],
    write: async (records: AuditRecord[], checkpoint: AuditCheckpoint | undefined) => {
      store.attempts.push(records.map((record) => record.seq));
      if (store.down) throw new Error('connection refused');
      store.written.push(...records);
      if (checkpoint) store.checkpoints.push(checkpoint);
    },
  };
  return store;
}

const retry = (delayMillis?: number) => (timer: { keepAlive: boolean; delayMillis: number }) =>
  timer.keepAlive && (delayMillis === undefined || timer.delayMillis === delayMillis);

describe('audit batcher', () => {
  it('writes the calls of one tick in bounded batches, in order', async () => {
    const batches: number[][] = [];
    const batcher = new AuditBatcher(
      new AuditChain('s'),
      async (records) => {
        batches.push(records.map((record) => record.seq));
      },
      { maxBatchRecords: 4 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, index) => batcher.append(auditEvent(index + 1))));
    assert.deepEqual(batches, [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
  });

  it('retries a failed batch at the head with bounded back-off, and records appended meanwhile follow in order', async () => {
    const store = flakyStore();
    const scheduler = new ManualScheduler();
    const batcher = new AuditBatcher(new AuditChain('s'), store.write, {
      maxBatchRecords: 2,
      retryDelayMillis: 10,
      maxRetryDelayMillis: 25,
      scheduler,
    });
    assert.equal(batcher.writable, true, 'writable before any write');
    store.down = true;
    const first = [1, 2, 3].map((index) => batcher.append(auditEvent(index)));
    for (const expected of [10, 20, 25, 25]) {
      const timer = await scheduler.next(retry());
      assert.equal(timer.delayMillis, expected);
      assert.equal(batcher.writable, false);
      timer.fire();
    }
    await scheduler.next(retry(25));
    const later = [4, 5].map((index) => batcher.append(auditEvent(index)));
    assert.equal(batcher.queued, 5);
    assert.equal(batcher.writeErrors, 5);
    store.down = false;
    scheduler.pending.find(retry())?.fire();
    const records = await Promise.all([...first, ...later]);
    assert.deepEqual(
      records.map((record) => record.seq),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      store.written.map((record) => record.seq),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      store.attempts,
      [[1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [3, 4], [5]],
      'the same head batch until it succeeds',
    );
    assert.equal(batcher.writable, true);
    assert.equal(batcher.writeErrors, 5);
  });

  it('refuses past the queue bound while the sink is down, and has room again once it is back', async () => {
    const store = flakyStore();
    const scheduler = new ManualScheduler();
    const batcher = new AuditBatcher(new AuditChain('s'), store.write, { maxQueuedRecords: 3, scheduler });
    store.down = true;
    const queued = [1, 2, 3].map((index) => batcher.append(auditEvent(index)));
    await scheduler.next(retry());
    assert.equal(batcher.hasRoom(), false);
    await assert.rejects(batcher.append(auditEvent(4)), AuditQueueFullError);
    store.down = false;
    scheduler.pending.find(retry())?.fire();
    await Promise.all(queued);
    assert.equal(batcher.hasRoom(), true);
    assert.equal((await batcher.append(auditEvent(4))).seq, 4, 'the refused event took no place in the chain');
  });

  it('holds a reserved place until its record comes: others are refused and counted as dropped, the reserved one is taken', async () => {
    const store = flakyStore();
    const scheduler = new ManualScheduler();
    const batcher = new AuditBatcher(new AuditChain('s'), store.write, { maxQueuedRecords: 2, scheduler });
    store.down = true;
    const first = batcher.append(auditEvent(1));
    await scheduler.next(retry());
    const held = batcher.reserve();
    assert.ok(held, 'one place left to hold');
    assert.equal(batcher.hasRoom(), false, 'a held place counts as taken');
    assert.equal(batcher.reserve(), undefined, 'no second place');
    await assert.rejects(batcher.append(auditEvent(2)), AuditQueueFullError);
    assert.equal(batcher.dropped, 1);
    // The regulated work ran meanwhile; its record takes the place held for it, full queue or not.
    const second = held.append(auditEvent(3));
    await assert.rejects(held.append(auditEvent(4)), /already used/);
    assert.equal(batcher.queued, 2);
    store.down = false;
    scheduler.pending.find(retry())?.fire();
    assert.deepEqual(
      (await Promise.all([first, second])).map((record) => record.requestId),
      [auditEvent(1).requestId, auditEvent(3).requestId],
    );
    // A place released (the work was refused before it ran) is free again.
    const released = batcher.reserve();
    released?.release();
    released?.release();
    assert.equal(batcher.hasRoom(), true);
    assert.ok(batcher.reserve() && batcher.reserve(), 'both places free after the release');
  });

  it('fails closed on a fork: what was queued and everything after is refused with it', async () => {
    const batcher = new AuditBatcher(
      new AuditChain('s'),
      async () => {
        throw new AuditForkError('record 1 of stream s is already in the table with a different hash');
      },
      { maxBatchRecords: 1 },
    );
    const results = await Promise.allSettled([1, 2].map((index) => batcher.append(auditEvent(index))));
    assert.deepEqual(
      results.map((result) => (result.status === 'rejected' ? (result.reason as Error).name : 'fulfilled')),
      ['AuditForkError', 'AuditForkError'],
    );
    assert.equal(batcher.writable, false);
    assert.equal(batcher.hasRoom(), false);
    await assert.rejects(batcher.append(auditEvent(3)), AuditForkError);
  });

  it('close waits for a retry that succeeds in time', async () => {
    const store = flakyStore();
    const scheduler = new ManualScheduler();
    const batcher = new AuditBatcher(new AuditChain('s'), store.write, { scheduler, closeTimeoutMillis: 999 });
    store.down = true;
    const written = batcher.append(auditEvent(1));
    await scheduler.next(retry(100));
    const closed = batcher.close();
    store.down = false;
    scheduler.pending.find(retry(100))?.fire();
    await closed;
    assert.equal((await written).seq, 1);
    assert.equal(scheduler.pending.length, 0, 'the close deadline was cancelled');
  });

  it('close gives up after its deadline and rejects the rest as not written', async () => {
    const store = flakyStore();
    const scheduler = new ManualScheduler();
    const batcher = new AuditBatcher(new AuditChain('s'), store.write, { scheduler, closeTimeoutMillis: 999 });
    store.down = true;
    const appended = [1, 2].map((index) => batcher.append(auditEvent(index)));
    await scheduler.next(retry(100));
    const closed = batcher.close();
    (await scheduler.next(retry(999))).fire();
    await closed;
    for (const result of await Promise.allSettled(appended)) {
      assert.equal(result.status, 'rejected');
      assert.ok(result.status === 'rejected' && result.reason instanceof AuditRecordsNotWrittenError);
      assert.match((result.reason as Error).message, /2 audit record\(s\) were not written.*999 ms.*connection refused/);
    }
    assert.equal(store.written.length, 0);
    assert.equal(scheduler.pending.length, 0, 'no retry left scheduled');
  });

  it('writes a record appended just as the queue emptied, without waiting for another append', async () => {
    const batcher = new AuditBatcher(new AuditChain('s'), async () => {});
    // Appended from the first record's resolution: after the drain's last look at the queue, before it ended.
    const second = await batcher.append(auditEvent(1)).then(() => batcher.append(auditEvent(2)));
    assert.equal(second.seq, 2);
  });

  it('signs a checkpoint every N records, after a quiet period, and at close', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const store = flakyStore();
    const scheduler = new ManualScheduler();
    const batcher = new AuditBatcher(new AuditChain('s'), store.write, {
      maxBatchRecords: 4,
      scheduler,
      now: () => new Date('2026-12-06T05:00:00.000Z'),
      checkpoints: { signingKey: privateKey, keyId: 'k1', everyRecords: 5, everyMillis: 60_000 },
    });
    await Promise.all(Array.from({ length: 10 }, (_, index) => batcher.append(auditEvent(index + 1))));
    // Batches 1-4, 5-8, 9-10: the second brings 8 records since none, the third only 2 since the last checkpoint.
    assert.deepEqual(
      store.checkpoints.map((checkpoint) => checkpoint.seq),
      [8],
    );
    const quiet = await scheduler.next((timer) => !timer.keepAlive);
    assert.equal(quiet.delayMillis, 60_000);
    quiet.fire();
    await batcher.flush();
    assert.deepEqual(
      store.checkpoints.map((checkpoint) => checkpoint.seq),
      [8, 10],
    );
    await batcher.append(auditEvent(11));
    await batcher.close();
    assert.deepEqual(
      store.checkpoints.map((checkpoint) => checkpoint.seq),
      [8, 10, 11],
    );
    const eleventh = store.written.find((record) => record.seq === 11);
    assert.equal(store.checkpoints[2]?.hash, eleventh?.hash);
    assert.equal(store.checkpoints[2]?.at, '2026-12-06T05:00:00.000Z');
    for (const checkpoint of store.checkpoints) assert.ok(checkpointVerifies(checkpoint, [{ publicKey, keyId: 'k1' }]));
    assert.equal(checkpointVerifies(store.checkpoints[0]!, [{ publicKey: generateKeyPairSync('ed25519').publicKey }]), false);
  });

  it('refuses after close and checks its limits', async () => {
    const batcher = new AuditBatcher(new AuditChain('s'), async () => {});
    await batcher.close();
    await assert.rejects(batcher.append(auditEvent(1)), /closed/);
    assert.equal(batcher.hasRoom(), false);
    assert.throws(
      () => new AuditBatcher(new AuditChain('s'), async () => {}, { maxQueuedRecords: 0 }),
      /maxQueuedRecords must be an integer of at least 1, got 0/,
    );
    assert.throws(
      () => new AuditBatcher(new AuditChain('s'), async () => {}, { retryDelayMillis: -1 }),
      /retryDelayMillis must be an integer of at least 0/,
    );
  });
});
