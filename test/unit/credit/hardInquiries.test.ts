// HARD-inquiry marks on the record store: one HARD pull per customer and purpose in the window, a mark dropped only by
// the replica that took it (after the bureau made no pull), and free again once the window is over, by the clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryRecordStore } from '../../../lib/records/index.js';
import { HARD_INQUIRY_WINDOW_MS, HardInquiries } from '../../../subgraphs/credit/hardInquiries.js';

describe('HARD-inquiry marks', () => {
  it('allow one pull in the window; only the replica that took the mark may drop it', async () => {
    const records = new MemoryRecordStore();
    const replicaA = new HardInquiries(records, 'fg');
    const replicaB = new HardInquiries(records, 'fg');
    assert.equal(await replicaA.claim('acme', 'cus_1', 'EMPLOYMENT'), true);
    assert.equal(await replicaB.claim('acme', 'cus_1', 'EMPLOYMENT'), false);
    assert.equal(await replicaB.claim('acme', 'cus_1', 'WRITTEN_INSTRUCTION'), true, 'another purpose has its own mark');
    await replicaB.release('acme', 'cus_1', 'EMPLOYMENT');
    assert.equal(await replicaB.claim('acme', 'cus_1', 'EMPLOYMENT'), false, 'B never held the mark, so it stays');
    await replicaA.release('acme', 'cus_1', 'EMPLOYMENT');
    assert.equal(await replicaB.claim('acme', 'cus_1', 'EMPLOYMENT'), true, 'A dropped its own mark: a retry may pull');
  });

  it('free the customer and purpose once the window is over', async () => {
    let now = Date.parse('2026-01-05T09:00:00Z');
    const records = new MemoryRecordStore({ clock: () => now });
    const inquiries = new HardInquiries(records, 'fg', () => now);
    assert.equal(await inquiries.claim('acme', 'cus_2', 'EMPLOYMENT'), true);
    now += HARD_INQUIRY_WINDOW_MS - 1;
    assert.equal(await inquiries.claim('acme', 'cus_2', 'EMPLOYMENT'), false);
    now += 1;
    assert.equal(await inquiries.claim('acme', 'cus_2', 'EMPLOYMENT'), true);
  });
});
