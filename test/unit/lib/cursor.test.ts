// Opaque cursors: what is encoded comes back; anything edited or made for another list is BAD_USER_INPUT.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { FinGraphError } from '../../../lib/errors/index.js';
import { decodeCursor, encodeCursor, pageSize } from '../../../lib/graphql/cursor.js';

function assertBadInput(run: () => unknown) {
  assert.throws(run, (error: unknown) => error instanceof FinGraphError && error.code === 'BAD_USER_INPUT');
}

describe('cursor', () => {
  it('round-trips', () => {
    const cursor = encodeCursor('customers', { id: 'cus_1' });
    assert.deepEqual(decodeCursor('customers', cursor, { id: z.string() }), { id: 'cus_1' });
  });

  it('refuses garbage, another list’s cursor and a wrong shape', () => {
    assertBadInput(() => decodeCursor('customers', 'not a cursor!', { id: z.string() }));
    assertBadInput(() => decodeCursor('customers', encodeCursor('transactions', { id: 'x' }), { id: z.string() }));
    assertBadInput(() => decodeCursor('customers', encodeCursor('customers', { id: 3 }), { id: z.string() }));
  });

  it('bounds page sizes', () => {
    assert.equal(pageSize(10, 100), 10);
    assertBadInput(() => pageSize(0, 100));
    assertBadInput(() => pageSize(101, 100));
  });
});
