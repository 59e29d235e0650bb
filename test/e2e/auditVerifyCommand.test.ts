// `npm run audit:verify` as a person types it: a good chain of day files says ok with its count, an edited line is
// named with its file, line and sequence number (exit 1), a usage mistake is one line and the usage (exit 2), and the
// audit_records table is verified through libpq's PG* variables on the harness's private PostgreSQL.
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { auditTable, FileAuditSink, installAuditSchema, PostgresAuditSink } from '../../lib/audit/index.js';
import { fromRoot } from '../../lib/config/paths.js';
import { PostgresHarness } from '../support/postgres.js';
import { auditEvent } from '../unit/audit/fixtures.js';

// Asynchronous, not spawnSync: the PostgreSQL case needs this process's event loop free while the command runs.
function auditVerify(
  args: string[],
  env: Record<string, string> = {},
): Promise<Pick<SpawnSyncReturns<string>, 'status' | 'stdout' | 'stderr'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fromRoot('dist', 'bin', 'auditVerify.js'), ...args], {
      env: { PATH: process.env.PATH, ...env },
    });
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

describe('npm run audit:verify', () => {
  let directory: string;
  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'fingraph-audit-cli-'));
    let day = new Date('2026-12-06T12:00:00.000Z');
    for (const count of [3, 4]) {
      const sink = await FileAuditSink.open({ directory, stream: 'gateway-1', now: () => day });
      await Promise.all(Array.from({ length: count }, (_, index) => sink.append(auditEvent(index + 1))));
      await sink.close();
      day = new Date('2026-12-07T12:00:00.000Z');
    }
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('says ok with the count for a good chain across day files', async () => {
    const run = await auditVerify(['--dir', directory, '--stream', 'gateway-1']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^ok: 7 records of stream gateway-1 verify; head seq 7 [0-9a-f]{64}\n$/);
  });

  it('names an edited record by file, line and sequence number, exit 1', async () => {
    const file = join(directory, 'gateway-1-2026-12-07.jsonl');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('"sub":"user_2"', '"sub":"user_9"'));
    try {
      const run = await auditVerify(['--dir', directory, '--stream', 'gateway-1']);
      assert.equal(run.status, 1);
      assert.equal(run.stdout, `tampered: ${file}:2: record 5 does not match its hash: it was edited\n`);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('prints one line and the usage for a mistake, exit 2', async () => {
    for (const args of [['--dir', directory], ['--bogus'], []]) {
      const run = await auditVerify(args);
      assert.equal(run.status, 2, args.join(' '));
      assert.match(run.stderr, /^audit:verify: .+\n\nusage: npm run audit:verify/);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('verifies the audit_records table through PGHOST and friends, and names an edited row', async () => {
    const harness = await PostgresHarness.start();
    const admin = new pg.Client({ connectionString: harness.url });
    const pool = new pg.Pool({ connectionString: harness.url });
    try {
      await admin.connect();
      await installAuditSchema(admin);
      const sink = await PostgresAuditSink.open({ pool, stream: 'gateway-1' });
      await Promise.all([1, 2, 3].map((index) => sink.append(auditEvent(index))));
      await sink.close();
      const env = { PGHOST: '127.0.0.1', PGPORT: String(harness.port), PGUSER: 'postgres', PGDATABASE: 'postgres' };

      const good = await auditVerify(['--postgres', '--stream', 'gateway-1'], env);
      assert.equal(good.status, 0, good.stderr);
      assert.match(good.stdout, /^ok: 3 records of stream gateway-1 verify/);

      await admin.query(`ALTER TABLE ${auditTable} DISABLE TRIGGER USER`);
      await admin.query(`UPDATE ${auditTable} SET tenant = 'tenant_b' WHERE seq = 2`);
      const bad = await auditVerify(['--postgres', '--stream', 'gateway-1'], env);
      assert.equal(bad.status, 1);
      assert.equal(bad.stdout, 'tampered: audit_records[stream=gateway-1]:2: record 2 does not match its hash: it was edited\n');
    } finally {
      await pool.end();
      await admin.end();
      await harness.close();
    }
  });
});
