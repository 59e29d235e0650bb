// The PostgreSQL sink on the harness's private server: rows written by a role with INSERT and SELECT only verify and
// continue after a reopening; UPDATE, DELETE and TRUNCATE are refused to that role and, by the trigger, to a superuser;
// a superuser who disables the trigger to edit, delete or swap rows is found by verifyTable, which names the row. A
// server that crashes and comes back loses no record and reorders none; a batch committed whose answer was lost is not
// written twice, a different row at its place is a fork; checkpoints are kept and protected like the records.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import {
  AuditForkError,
  AuditQueueFullError,
  type AuditRecord,
  type AuditRow,
  auditCheckpointTable,
  auditRecordFromRow,
  auditTable,
  installAuditSchema,
  maxBatchRecords,
  PostgresAuditSink,
  verifyTable,
} from '../../../lib/audit/index.js';
import { PostgresHarness } from '../../support/postgres.js';
import { auditEvent, rewriteTail } from './fixtures.js';
import { ManualScheduler } from './manualScheduler.js';

describe('postgres audit sink', () => {
  let harness: PostgresHarness;
  let admin: pg.Client;
  let writer: pg.Pool;

  async function connectAdmin(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: harness.url });
    // The crash test kills the server under this connection: the error is expected, and a new client replaces it.
    client.on('error', () => {});
    await client.connect();
    return client;
  }
  before(async () => {
    harness = await PostgresHarness.start();
    admin = await connectAdmin();
    await admin.query('CREATE ROLE audit_writer LOGIN');
    await installAuditSchema(admin, { writerRole: 'audit_writer' });
    await installAuditSchema(admin, { writerRole: 'audit_writer' }); // idempotent: a second migration run changes nothing
    writer = new pg.Pool({ connectionString: harness.url.replace('postgres@', 'audit_writer@'), max: 2 });
    // An idle client whose server went away emits 'error' on the pool: the crash test makes that happen.
    writer.on('error', () => {});
  });
  after(async () => {
    await writer?.end();
    await admin?.end();
    await harness?.close();
  });

  async function write(stream: string, count: number, first = 1): Promise<AuditRecord[]> {
    const sink = await PostgresAuditSink.open({ pool: writer, stream, maxBatchRecords: 8 });
    const records = await Promise.all(Array.from({ length: count }, (_, index) => sink.append(auditEvent(first + index))));
    await sink.close();
    return records;
  }

  async function problemOf(stream: string) {
    const result = await verifyTable(admin, stream);
    assert.equal(result.ok, false, 'verifyTable should have found a problem');
    return result.ok ? undefined : result.problem;
  }

  /**
   * The harness kills the postmaster only: a backend serving an idle pooled connection lives on for a moment and could
   * still take the next write. Waits until the writer's pool is refused three times in a row (its idle clients gone).
   */
  async function untilRefused(pool: pg.Pool): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (let refusedInRow = 0; refusedInRow < 3; ) {
      if (Date.now() > deadline) throw new Error('the stopped server still answered after 10 s');
      refusedInRow = (await pool.query('SELECT 1').then(
        () => false,
        () => true,
      ))
        ? refusedInRow + 1
        : 0;
    }
  }

  /** What a superuser with intent can do: switch the trigger off, change rows, switch it back on. */
  async function tamper(sql: string): Promise<void> {
    await admin.query(`ALTER TABLE ${auditTable} DISABLE TRIGGER USER`);
    try {
      await admin.query(sql);
    } finally {
      // As installAuditSchema leaves them: ALWAYS, so that the replica-mode test holds whichever test ran first.
      await admin.query(`ALTER TABLE ${auditTable} ENABLE ALWAYS TRIGGER ${auditTable}_no_change`);
      await admin.query(`ALTER TABLE ${auditTable} ENABLE ALWAYS TRIGGER ${auditTable}_no_truncate`);
    }
  }

  it('refuses to chain on when rows a signed checkpoint vouches for are gone', async () => {
    const sink = await PostgresAuditSink.open({
      pool: writer,
      stream: 'cut',
      checkpoints: { signingKey: generateKeyPairSync('ed25519').privateKey, keyId: 'k-cut' },
    });
    for (let index = 1; index <= 4; index += 1) await sink.append(auditEvent(index));
    await sink.close();
    await tamper(`DELETE FROM ${auditTable} WHERE stream = 'cut' AND seq >= 3`);
    await assert.rejects(
      PostgresAuditSink.open({ pool: writer, stream: 'cut' }),
      /a signed checkpoint vouches for row 4 but audit_records ends at 2/,
    );
  });

  it('writes rows that verify, and a reopened sink continues the chain', async () => {
    const written = await write('gateway-1', 20);
    const more = await write('gateway-1', 3, 21);
    assert.deepEqual(
      more.map((record) => record.seq),
      [21, 22, 23],
    );
    assert.equal(more[0]?.prevHash, written.at(-1)?.hash);
    const result = await verifyTable(admin, 'gateway-1');
    assert.ok(result.ok);
    assert.equal(result.records, 23);
  });

  it('refuses UPDATE and DELETE to the writing role by privilege', async () => {
    await write('privileges', 2);
    await assert.rejects(writer.query(`UPDATE ${auditTable} SET sub = 'x' WHERE stream = 'privileges'`), /permission denied/);
    await assert.rejects(writer.query(`DELETE FROM ${auditTable} WHERE stream = 'privileges'`), /permission denied/);
    await assert.rejects(writer.query(`TRUNCATE ${auditTable}`), /permission denied/);
  });

  it('refuses UPDATE, DELETE and TRUNCATE to a superuser by the trigger', async () => {
    await write('trigger', 2);
    await assert.rejects(admin.query(`UPDATE ${auditTable} SET sub = 'x' WHERE stream = 'trigger'`), /append-only: UPDATE refused/);
    await assert.rejects(admin.query(`DELETE FROM ${auditTable} WHERE stream = 'trigger'`), /append-only: DELETE refused/);
    await assert.rejects(admin.query(`TRUNCATE ${auditTable}`), /append-only: TRUNCATE refused/);
    // A session in replica mode skips ordinary triggers without any DDL: these fire there too.
    const replica = new pg.Client({ connectionString: harness.url });
    await replica.connect();
    try {
      await replica.query('SET session_replication_role = replica');
      await assert.rejects(replica.query(`UPDATE ${auditTable} SET sub = 'x' WHERE stream = 'trigger'`), /append-only: UPDATE refused/);
      await assert.rejects(replica.query(`DELETE FROM ${auditTable} WHERE stream = 'trigger'`), /append-only: DELETE refused/);
    } finally {
      await replica.end();
    }
    const result = await verifyTable(admin, 'trigger');
    assert.ok(result.ok);
    assert.equal(result.records, 2);
  });

  it('names a row a superuser edited', async () => {
    await write('edited', 10);
    await tamper(`UPDATE ${auditTable} SET sub = 'someone_else' WHERE stream = 'edited' AND seq = 4`);
    const problem = await problemOf('edited');
    assert.deepEqual([problem?.kind, problem?.seq, problem?.line], ['tampered', 4, 4]);
    assert.match(problem?.message ?? '', /audit_records\[stream=edited\]:4: record 4 does not match its hash/);
  });

  it('names a row a superuser deleted, the first one included', async () => {
    await write('deleted', 10);
    await tamper(`DELETE FROM ${auditTable} WHERE stream = 'deleted' AND seq = 6`);
    assert.deepEqual([(await problemOf('deleted'))?.kind, (await problemOf('deleted'))?.expectedSeq], ['missing', 6]);
    await write('deleted-first', 3);
    await tamper(`DELETE FROM ${auditTable} WHERE stream = 'deleted-first' AND seq = 1`);
    assert.deepEqual([(await problemOf('deleted-first'))?.kind, (await problemOf('deleted-first'))?.expectedSeq], ['missing', 1]);
  });

  it('names two rows a superuser swapped', async () => {
    await write('swapped', 10);
    // Rows are read in seq order, so a swap means exchanging the seq numbers: the rows then no longer match their hashes.
    await tamper(
      `UPDATE ${auditTable} SET seq = 1000 WHERE stream = 'swapped' AND seq = 7;
       UPDATE ${auditTable} SET seq = 7 WHERE stream = 'swapped' AND seq = 8;
       UPDATE ${auditTable} SET seq = 8 WHERE stream = 'swapped' AND seq = 1000;`,
    );
    const problem = await problemOf('swapped');
    assert.deepEqual([problem?.kind, problem?.seq, problem?.line], ['tampered', 7, 7]);
  });

  it('will not chain onto a newest row that does not verify', async () => {
    await write('broken-head', 2);
    await tamper(`UPDATE ${auditTable} SET sub = 'someone_else' WHERE stream = 'broken-head' AND seq = 2`);
    await assert.rejects(PostgresAuditSink.open({ pool: writer, stream: 'broken-head' }), /does not verify/);
  });

  // A write retried without end would hang the file rather than fail it: each of these has a bound.
  it('keeps records while the server is down, then writes them all, in order, once it is back', { timeout: 20_000 }, async () => {
    const scheduler = new ManualScheduler();
    const sink = await PostgresAuditSink.open({ pool: writer, stream: 'down-up', maxBatchRecords: 4, maxQueuedRecords: 7, scheduler });
    await Promise.all([1, 2, 3].map((index) => sink.append(auditEvent(index))));
    assert.equal(sink.writable, true);
    await harness.stop();
    await untilRefused(writer);
    const during = Array.from({ length: 6 }, (_, index) => sink.append(auditEvent(4 + index)));
    const isRetry = (timer: { keepAlive: boolean }) => timer.keepAlive;
    (await scheduler.next(isRetry)).fire();
    await scheduler.next(isRetry);
    assert.equal(sink.writable, false, 'not writable while the last write failed');
    assert.ok(sink.writeErrors >= 2, `writeErrors ${sink.writeErrors}`);
    assert.equal(sink.hasRoom(), true, 'a sink that is down still queues');
    const later = sink.append(auditEvent(10));
    assert.equal(sink.queued, 7);
    assert.equal(sink.hasRoom(), false, 'the queue is full: regulated work is refused before it is done');
    await assert.rejects(sink.append(auditEvent(11)), AuditQueueFullError);
    await harness.restart();
    await admin.end().catch(() => {});
    admin = await connectAdmin();
    scheduler.autoFire(isRetry);
    const records = await Promise.all([...during, later]);
    assert.deepEqual(
      records.map((record) => record.seq),
      [4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(sink.writable, true);
    assert.equal(sink.hasRoom(), true, 'room again once the sink caught up');
    assert.equal((await sink.append(auditEvent(11))).seq, 11, 'the refused event took no place in the chain');
    await sink.close();
    const result = await verifyTable(admin, 'down-up');
    assert.ok(result.ok, result.ok ? '' : result.problem.message);
    assert.equal(result.records, 11);
    const { rows } = await admin.query<{ request_id: string }>(
      `SELECT request_id FROM ${auditTable} WHERE stream = 'down-up' ORDER BY seq`,
    );
    assert.deepEqual(
      rows.map((row) => row.request_id),
      Array.from({ length: 11 }, (_, index) => `req_${index + 1}`),
    );
  });

  it('refuses a batch bound past what one PostgreSQL statement can bind', async () => {
    await assert.rejects(
      PostgresAuditSink.open({ pool: writer, stream: 'too-big', maxBatchRecords: maxBatchRecords + 1 }),
      new RegExp(`maxBatchRecords must be at most ${maxBatchRecords} for PostgreSQL`),
    );
    const largest = await PostgresAuditSink.open({ pool: writer, stream: 'largest', maxBatchRecords });
    await largest.close();
  });

  it('counts a batch already committed (its answer lost) as written, and fails closed on a different row', {
    timeout: 20_000,
  }, async () => {
    // Two sinks on one stream stand in for one writer's two attempts: the first commits the rows, the second meets them.
    const retried = await PostgresAuditSink.open({ pool: writer, stream: 'lost-answer' });
    const committed = await PostgresAuditSink.open({ pool: writer, stream: 'lost-answer' });
    await Promise.all([1, 2, 3].map((index) => committed.append(auditEvent(index))));
    await committed.close();
    const again = await Promise.all([1, 2, 3, 4].map((index) => retried.append(auditEvent(index))));
    assert.deepEqual(
      again.map((record) => record.seq),
      [1, 2, 3, 4],
    );
    assert.equal(retried.writeErrors, 0, 'identical rows are a success, not a failed write');
    const good = await verifyTable(admin, 'lost-answer');
    assert.equal(good.ok ? good.records : undefined, 4);

    const other = await PostgresAuditSink.open({ pool: writer, stream: 'lost-answer' });
    await other.append(auditEvent(5, { sub: 'another_writer' }));
    await other.close();
    await assert.rejects(
      retried.append(auditEvent(5)),
      (error: Error) =>
        error instanceof AuditForkError && /audit_records record 5 of stream lost-answer .* different hash/.test(error.message),
    );
    assert.equal(retried.writable, false);
    assert.equal(retried.hasRoom(), false);
    await assert.rejects(retried.append(auditEvent(6)), AuditForkError);
    await retried.close();
    assert.ok((await verifyTable(admin, 'lost-answer')).ok, 'the fork was refused, not written');
  });

  it('keeps signed checkpoints in an insert-only table, and they catch a tail a superuser re-hashed', { timeout: 20_000 }, async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const sink = await PostgresAuditSink.open({
      pool: writer,
      stream: 'signed',
      maxBatchRecords: 4,
      checkpoints: { signingKey: privateKey, keyId: 'k1', everyRecords: 4 },
    });
    await Promise.all(Array.from({ length: 10 }, (_, index) => sink.append(auditEvent(index + 1))));
    await sink.close();
    const { rows } = await admin.query<{ seq: string }>(`SELECT seq FROM ${auditCheckpointTable} WHERE stream = 'signed' ORDER BY seq`);
    assert.deepEqual(
      rows.map((row) => Number(row.seq)),
      [4, 8, 10],
    );
    await assert.rejects(writer.query(`UPDATE ${auditCheckpointTable} SET hash = 'x'`), /permission denied/);
    await assert.rejects(writer.query(`DELETE FROM ${auditCheckpointTable}`), /permission denied/);
    await assert.rejects(admin.query(`DELETE FROM ${auditCheckpointTable}`), /audit_checkpoints is append-only: DELETE refused/);
    await assert.rejects(admin.query(`TRUNCATE ${auditCheckpointTable}`), /append-only: TRUNCATE refused/);

    const checkpointKeys = [{ publicKey }];
    const good = await verifyTable(admin, 'signed', { checkpointKeys });
    assert.ok(good.ok);
    assert.deepEqual(good.checkpoints, { count: 3, coveredSeq: 10 });

    const records = await admin.query<AuditRow>(`SELECT * FROM ${auditTable} WHERE stream = 'signed' ORDER BY seq`);
    const lines = records.rows.map((row) => JSON.stringify(auditRecordFromRow(row)));
    const forged = rewriteTail(lines, 5, (record) => ({ ...record, sub: 'someone_else' })).map((line) => JSON.parse(line) as AuditRecord);
    await tamper(
      forged
        .slice(5)
        .map(
          (record) =>
            `UPDATE ${auditTable} SET sub = '${record.sub}', prev_hash = '${record.prevHash}', hash = '${record.hash}' WHERE stream = 'signed' AND seq = ${record.seq};`,
        )
        .join('\n'),
    );
    assert.ok((await verifyTable(admin, 'signed')).ok, 'the bare chain is fooled');
    const caught = await verifyTable(admin, 'signed', { checkpointKeys });
    assert.deepEqual(caught.ok ? undefined : [caught.problem.kind, caught.problem.seq], ['checkpoint-mismatch', 8]);
    assert.match(
      caught.ok ? '' : caught.problem.message,
      /audit_records\[stream=signed\]:8: record 8 is not the record checkpoint audit_checkpoints\[stream=signed\]:2 signed/,
    );
  });
});
