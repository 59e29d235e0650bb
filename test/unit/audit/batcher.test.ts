// The write queue: calls of one tick share a batch, batches keep their size bound and the order of the calls, and
// after a failed write nothing more is accepted (a trail with a hole is worse than a refusal).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditBatcher, AuditChain, type AuditRecord } from '../../../lib/audit/index.js';
import { auditEvent } from './fixtures.js';

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

  it('refuses everything after a failed write, including what was queued behind it', async () => {
    let calls = 0;
    const batcher = new AuditBatcher(
      new AuditChain('s'),
      async (_records: AuditRecord[]) => {
        calls += 1;
        throw new Error('disk full');
      },
      { maxBatchRecords: 2 },
    );
    const results = await Promise.allSettled([1, 2, 3].map((index) => batcher.append(auditEvent(index))));
    assert.deepEqual(
      results.map((result) => result.status),
      ['rejected', 'rejected', 'rejected'],
    );
    assert.equal(calls, 1, 'the second batch is not written after the first failed');
    await assert.rejects(batcher.append(auditEvent(4)), /disk full/);
  });

  it('refuses after close and checks its limits', async () => {
    const batcher = new AuditBatcher(new AuditChain('s'), async () => {});
    await batcher.close();
    await assert.rejects(batcher.append(auditEvent(1)), /closed/);
    assert.throws(
      () => new AuditBatcher(new AuditChain('s'), async () => {}, { maxQueuedRecords: 0 }),
      /maxQueuedRecords must be a positive integer/,
    );
  });
});
