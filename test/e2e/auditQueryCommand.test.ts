// `npm run audit:query` as an auditor types it: each question over a folder of day files prints its records as JSON
// lines (exit 0, none is an empty answer), `--format table` aligns the question's columns, a usage mistake is one line
// and the usage (exit 2), an unreadable folder exit 3; the same question over audit_records through libpq's PG*
// variables on the harness's private PostgreSQL gives the same lines.
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type AuditRecord, type AuditSink, FileAuditSink, installAuditSchema, PostgresAuditSink } from '../../lib/audit/index.js';
import { fromRoot } from '../../lib/config/paths.js';
import { PostgresHarness } from '../support/postgres.js';
import { queryFixture } from '../unit/audit/fixtures.js';

// Asynchronous, not spawnSync: the PostgreSQL case needs this process's event loop free while the command runs.
function auditQuery(
  args: string[],
  env: Record<string, string> = {},
): Promise<Pick<SpawnSyncReturns<string>, 'status' | 'stdout' | 'stderr'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fromRoot('dist', 'bin', 'auditQuery.js'), ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

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

function requestIds(stdout: string): string[] {
  return stdout
    .trimEnd()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as AuditRecord).requestId);
}

const customerReads = ['customer-reads', '--customer', 'cus_1', '--from', '2026-12-06T04:00:00Z', '--to', '2026-12-06T05:00:00Z'];

describe('npm run audit:query', () => {
  let directory: string;
  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'fingraph-audit-query-cli-'));
    await writeFixture((stream) => FileAuditSink.open({ directory, stream, now: () => new Date('2026-12-06T04:30:00.000Z') }));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('answers each question over the day files of every stream as JSON lines of the records', async () => {
    const reads = await auditQuery([...customerReads, '--dir', directory]);
    assert.equal(reads.status, 0, reads.stderr);
    assert.deepEqual(requestIds(reads.stdout), ['read_1', 'read_kyc', 'partial_read', 'aliased_read']);
    const first = JSON.parse(reads.stdout.split('\n')[0]!) as AuditRecord;
    assert.deepEqual(
      [first.stream, first.sub, first.tenant, first.type, first.personalData],
      ['gateway-1', 'user_a', 'tenant_a', 'api.call', true],
    );

    const payments = await auditQuery(['payments', '--sub', 'user_p', '--dir', directory]);
    assert.equal(payments.status, 0, payments.stderr);
    assert.deepEqual(requestIds(payments.stdout), ['pay_create', 'pay_cancel']);

    const refusals = await auditQuery(['refusals', '--tenant', 'tenant_a', '--from', '2026-12-06', '--dir', directory]);
    assert.equal(refusals.status, 0, refusals.stderr);
    assert.deepEqual(requestIds(refusals.stdout), ['refused_forbidden', 'refused_unauthenticated', 'fields_withheld', 'no_consent']);
    assert.equal(refusals.stderr, '');
  });

  it('exits 0 with nothing printed when nothing matches', async () => {
    const run = await auditQuery(['payments', '--sub', 'nobody', '--dir', directory]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
  });

  it('prints an aligned table with --format table', async () => {
    const run = await auditQuery([...customerReads, '--dir', directory, '--format', 'table']);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^at\s+sub\s+tenant\s+type\s+action\s+operationName\s+fieldsServed\s+requestId\s+traceId$/);
    assert.equal(lines.length, 5, 'a header and four records');
    assert.match(lines[2]!, /^2026-12-06T04:09:00\.000Z\s+user_b\s+tenant_a\s+upstream\.call\s+kyc\.read\s+-\s+-\s+read_kyc\s+-$/);
  });

  it('prints one line and the usage for a mistake, exit 2', async () => {
    for (const args of [
      [],
      ['whoever', '--dir', directory],
      ['customer-reads', '--customer', 'cus_1', '--dir', directory],
      [...customerReads],
      [...customerReads, '--dir', directory, '--postgres'],
      ['payments', '--sub', 'user_p', '--from', '2026-12-06T04:00:00', '--dir', directory],
      ['payments', '--sub', 'user_p', '--tenant', 'tenant_a', '--dir', directory],
      ['payments', '--sub', 'user_p', '--dir', directory, '--format', 'csv'],
      ['refusals', '--tenant', 'tenant_a', '--from', '2026-12-07', '--to', '2026-12-06', '--dir', directory],
      ['refusals', '--bogus'],
    ]) {
      const run = await auditQuery(args);
      assert.equal(run.status, 2, args.join(' '));
      assert.match(run.stderr, /^audit:query: .+\n\nusage: npm run audit:query/, args.join(' '));
      assert.match(run.stderr, /not verified: run npm run audit:verify first/);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('says why a folder cannot be read, exit 3', async () => {
    const run = await auditQuery(['payments', '--sub', 'user_p', '--dir', join(directory, 'missing')]);
    assert.equal(run.status, 3);
    assert.match(run.stderr, /^audit:query: ENOENT/);
  });

  it('asks audit_records through PGHOST and friends, and gives the same lines as the files', async () => {
    const harness = await PostgresHarness.start();
    const pool = new pg.Pool({ connectionString: harness.url, max: 2 });
    try {
      const client = await pool.connect();
      try {
        await installAuditSchema(client);
      } finally {
        client.release();
      }
      await writeFixture((stream) => PostgresAuditSink.open({ pool, stream }));
      const env = { PGHOST: '127.0.0.1', PGPORT: String(harness.port), PGUSER: 'postgres', PGDATABASE: 'postgres' };
      for (const args of [customerReads, ['payments', '--sub', 'user_p'], ['refusals', '--tenant', 'tenant_a']]) {
        const fromTable = await auditQuery([...args, '--postgres'], env);
        assert.equal(fromTable.status, 0, fromTable.stderr);
        const fromFiles = await auditQuery([...args, '--dir', directory]);
        assert.ok(requestIds(fromTable.stdout).length > 0);
        assert.equal(fromTable.stdout, fromFiles.stdout, args.join(' '));
      }
    } finally {
      await pool.end();
      await harness.close();
    }
  });
});
