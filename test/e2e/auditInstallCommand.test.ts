// `npm run audit:install` as an owner runs it, on the harness's private PostgreSQL through libpq's PG* variables: the
// table is installed (twice is fine), the writer may insert and select and nothing else, and a mistake on the command
// line is one line and the usage (exit 2), a role that does not exist one line (exit 3).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { auditTable, PostgresAuditSink } from '../../lib/audit/postgresSink.js';
import { fromRoot } from '../../lib/config/paths.js';
import { PostgresHarness } from '../support/postgres.js';
import { auditEvent } from '../unit/audit/fixtures.js';

// Asynchronous, not spawnSync: this process's event loop stays free while the command runs.
function auditInstall(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fromRoot('dist', 'bin', 'auditInstall.js'), ...args], {
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

describe('npm run audit:install', () => {
  let harness: PostgresHarness;
  let owner: Record<string, string>;
  before(async () => {
    harness = await PostgresHarness.start();
    owner = { PGHOST: '127.0.0.1', PGPORT: String(harness.port), PGUSER: 'postgres', PGDATABASE: 'postgres' };
    const admin = new pg.Client({ connectionString: harness.url });
    await admin.connect();
    await admin.query('CREATE ROLE audit_writer LOGIN');
    await admin.end();
  });
  after(async () => {
    await harness?.close();
  });

  it('installs the table for a writer that may insert and select only, and can be run again', async () => {
    for (let run = 0; run < 2; run += 1) {
      const result = await auditInstall(['--writer-role', 'audit_writer'], owner);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^installed audit_records; audit_writer may INSERT and SELECT, nothing else$/m);
    }
    const writer = new pg.Pool({ connectionString: harness.url.replace('postgres@', 'audit_writer@'), max: 1 });
    try {
      const sink = await PostgresAuditSink.open({ pool: writer, stream: 'gateway' });
      await sink.append(auditEvent(1));
      await sink.close();
      await assert.rejects(writer.query(`DELETE FROM ${auditTable}`), /permission denied/);
    } finally {
      await writer.end();
    }
  });

  it('refuses a command line without a writer decision (exit 2) and an unknown role (exit 3), in one line', async () => {
    const usage = await auditInstall([], owner);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /^audit:install: give exactly one of --writer-role ROLE or --no-writer\n/);
    const unknown = await auditInstall(['--writer-role', 'nobody_here'], owner);
    assert.equal(unknown.status, 3);
    assert.equal(unknown.stderr.trim().split('\n').length, 1, unknown.stderr);
    assert.match(unknown.stderr, /^audit:install: .*nobody_here/);
  });
});
