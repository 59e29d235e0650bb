// The PostgreSQL sink on the harness's private server: rows written by a role with INSERT and SELECT only verify and
// continue after a reopening; UPDATE, DELETE and TRUNCATE are refused to that role and, by the trigger, to a superuser;
// a superuser who disables the trigger to edit, delete or swap rows is found by verifyTable, which names the row.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type AuditRecord, auditTable, installAuditSchema, PostgresAuditSink, verifyTable } from '../../../lib/audit/index.js';
import { PostgresHarness } from '../../support/postgres.js';
import { auditEvent } from './fixtures.js';

describe('postgres audit sink', () => {
  let harness: PostgresHarness;
  let admin: pg.Client;
  let writer: pg.Pool;
  before(async () => {
    harness = await PostgresHarness.start();
    admin = new pg.Client({ connectionString: harness.url });
    await admin.connect();
    await admin.query('CREATE ROLE audit_writer LOGIN');
    await installAuditSchema(admin, { writerRole: 'audit_writer' });
    await installAuditSchema(admin, { writerRole: 'audit_writer' }); // idempotent: a second migration run changes nothing
    writer = new pg.Pool({ connectionString: harness.url.replace('postgres@', 'audit_writer@'), max: 2 });
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

  /** What a superuser with intent can do: switch the trigger off, change rows, switch it back on. */
  async function tamper(sql: string): Promise<void> {
    await admin.query(`ALTER TABLE ${auditTable} DISABLE TRIGGER USER`);
    try {
      await admin.query(sql);
    } finally {
      await admin.query(`ALTER TABLE ${auditTable} ENABLE TRIGGER USER`);
    }
  }

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
});
