// The auditors' questions asked of both sinks over the same records (two streams): each answers exactly the records
// its definition names, in time order, the file side and the SQL side alike; a value with SQL in it is only a value.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import {
  type AuditQuery,
  type AuditQueryResult,
  type AuditSink,
  FileAuditSink,
  formatTable,
  installAuditSchema,
  PostgresAuditSink,
  queryFiles,
  queryTable,
  tableColumns,
} from '../../../lib/audit/index.js';
import { PostgresHarness } from '../../support/postgres.js';
import { queryFixture } from './fixtures.js';

async function writeFixture(open: (stream: string) => Promise<AuditSink>): Promise<void> {
  const sinks = new Map<string, AuditSink>();
  for (const { stream, event } of queryFixture()) {
    let sink = sinks.get(stream);
    if (!sink) {
      sink = await open(stream);
      sinks.set(stream, sink);
    }
    await sink.append(event);
  }
  for (const sink of sinks.values()) await sink.close();
}

const range = { from: new Date('2026-12-06T04:00:00.000Z'), to: new Date('2026-12-06T05:00:00.000Z') };

const questions: { query: AuditQuery; expected: string[] }[] = [
  { query: { kind: 'customer-reads', customer: 'cus_1', ...range }, expected: ['read_1', 'read_kyc', 'partial_read', 'aliased_read'] },
  {
    query: { kind: 'customer-reads', customer: 'cus_1', from: range.from, to: new Date('2026-12-06T05:02:00.000Z') },
    expected: ['read_1', 'read_kyc', 'partial_read', 'aliased_read', 'read_late'],
  },
  { query: { kind: 'payments', sub: 'user_p' }, expected: ['pay_create', 'pay_cancel'] },
  { query: { kind: 'payments', sub: 'user_p', from: new Date('2026-12-06T04:11:00.000Z') }, expected: ['pay_cancel'] },
  {
    query: { kind: 'refusals', tenant: 'tenant_a' },
    expected: ['refused_forbidden', 'refused_unauthenticated', 'fields_withheld', 'no_consent'],
  },
  { query: { kind: 'refusals', tenant: 'tenant_a', to: new Date('2026-12-06T04:10:00.000Z') }, expected: ['refused_forbidden'] },
  { query: { kind: 'customer-reads', customer: "cus_1' OR '1'='1", ...range }, expected: [] },
];

function requestIds(result: AuditQueryResult): string[] {
  assert.equal(result.skipped, 0);
  return result.records.map((record) => record.requestId);
}

describe('audit queries', () => {
  let directory: string;
  let harness: PostgresHarness;
  let pool: pg.Pool;
  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'fingraph-audit-query-'));
    await writeFixture((stream) => FileAuditSink.open({ directory, stream, now: () => new Date('2026-12-06T04:30:00.000Z') }));
    harness = await PostgresHarness.start();
    pool = new pg.Pool({ connectionString: harness.url, max: 2 });
    const client = await pool.connect();
    try {
      await installAuditSchema(client);
    } finally {
      client.release();
    }
    await writeFixture((stream) => PostgresAuditSink.open({ pool, stream }));
  });
  after(async () => {
    await pool?.end();
    await harness?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  for (const { query, expected } of questions) {
    it(`${query.kind} ${JSON.stringify({ ...query, kind: undefined })} answers ${expected.join(', ') || 'nothing'}, from files and from PostgreSQL`, async () => {
      assert.deepEqual(requestIds(await queryFiles(directory, query)), expected);
      assert.deepEqual(requestIds(await queryTable(pool, query)), expected);
    });
  }

  it('returns the records as written, the same from both sinks', async () => {
    const query: AuditQuery = { kind: 'payments', sub: 'user_p' };
    const fromFiles = await queryFiles(directory, query);
    const fromTable = await queryTable(pool, query);
    assert.deepEqual(fromTable.records, fromFiles.records);
    assert.equal(fromFiles.records[0]?.stream, 'identity-1');
    assert.equal(fromFiles.records[0]?.action, 'payment.create');
  });

  it('passes over and counts a line that is not a record, and reads no checkpoint file as records', async () => {
    writeFileSync(join(directory, 'gateway-1-2026-12-06.checkpoints.jsonl'), '{"stream":"gateway-1"}\n');
    writeFileSync(join(directory, 'broken-2026-12-06.jsonl'), 'not json\n');
    try {
      const result = await queryFiles(directory, { kind: 'payments', sub: 'user_p' });
      assert.equal(result.skipped, 1);
      assert.equal(result.records.length, 2);
    } finally {
      rmSync(join(directory, 'gateway-1-2026-12-06.checkpoints.jsonl'));
      rmSync(join(directory, 'broken-2026-12-06.jsonl'));
    }
  });

  it('formats a table with the columns of the question', async () => {
    const { records } = await queryFiles(directory, { kind: 'refusals', tenant: 'tenant_a' });
    const lines = formatTable(records, tableColumns.refusals).trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^at\s+sub\s+tenant\s+type\s+operationName\s+failureCode\s+fieldsRefused\s+requestId\s+traceId$/);
    assert.equal(lines.length, 5);
    assert.match(lines[3] ?? '', /CreditReport\.score\s+fields_withheld/);
  });
});
