// `npm run audit:verify` as a person types it: a good chain of day files says ok with its count (and that checkpoints
// were not checked), an edited line is named with its file, line and sequence number (exit 1), a usage mistake is one
// line and the usage (exit 2); with --public-key, signed checkpoints are checked: a re-hashed tail, a forged signature
// and a stream with none are each exit 1; the audit_records table is verified through libpq's PG* variables on the
// harness's private PostgreSQL, its checkpoints too.
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import {
  type AuditCheckpoint,
  auditTable,
  FileAuditSink,
  installAuditSchema,
  PostgresAuditSink,
  signCheckpoint,
} from '../../lib/audit/index.js';
import { fromRoot } from '../../lib/config/paths.js';
import { PostgresHarness } from '../support/postgres.js';
import { auditEvent, rewriteTail } from '../unit/audit/fixtures.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const checkpoints = { signingKey: privateKey, keyId: 'writers-1', everyRecords: 2 };

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

  it('says ok with the count for a good chain across day files, and that checkpoints were not checked', async () => {
    const run = await auditVerify(['--dir', directory, '--stream', 'gateway-1']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /^ok: 7 records of stream gateway-1 verify; head seq 7 [0-9a-f]{64}\ncheckpoints: not checked \(give --public-key FILE to check the signed checkpoints\)\n$/,
    );
  });

  describe('with --public-key', () => {
    let signed: string;
    let keyFile: string;
    before(async () => {
      signed = mkdtempSync(join(tmpdir(), 'fingraph-audit-cli-signed-'));
      keyFile = join(signed, 'writers.pub.pem');
      writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
      const sink = await FileAuditSink.open({
        directory: signed,
        stream: 'gateway-1',
        now: () => new Date('2026-12-06T12:00:00.000Z'),
        maxBatchRecords: 2,
        checkpoints,
      });
      await Promise.all(Array.from({ length: 5 }, (_, index) => sink.append(auditEvent(index + 1))));
      await sink.close();
    });
    after(() => rmSync(signed, { recursive: true, force: true }));
    const dayFile = () => join(signed, 'gateway-1-2026-12-06.jsonl');
    const checkpointFile = () => join(signed, 'gateway-1-2026-12-06.checkpoints.jsonl');

    it('checks the signed checkpoints of a good run', async () => {
      const run = await auditVerify(['--dir', signed, '--stream', 'gateway-1', '--public-key', keyFile]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^ok: 5 records .*\ncheckpoints: 3 verify with the public key, covering records up to seq 5\n$/);
      const files = await auditVerify([dayFile(), '--public-key', keyFile]);
      assert.equal(files.status, 0, files.stderr);
      assert.match(files.stdout, /\ncheckpoints: 3 verify/, 'the checkpoint file beside a day file given by name is found');
    });

    it('names the record a re-hashed tail changed, which the chain alone lets pass', async () => {
      const original = readFileSync(dayFile(), 'utf8');
      writeFileSync(dayFile(), rewriteTail(original.split('\n'), 2, (record) => ({ ...record, sub: 'someone_else' })).join('\n'));
      try {
        assert.equal((await auditVerify(['--dir', signed, '--stream', 'gateway-1'])).status, 0, 'the chain alone is fooled');
        const run = await auditVerify(['--dir', signed, '--stream', 'gateway-1', '--public-key', keyFile]);
        assert.equal(run.status, 1);
        assert.equal(
          run.stdout,
          `checkpoint-mismatch: ${dayFile()}:4: record 4 is not the record checkpoint ${checkpointFile()}:2 signed: the chain was rewritten up to here\n`,
        );
      } finally {
        writeFileSync(dayFile(), original);
      }
    });

    it('names a forged checkpoint, and fails a stream with no checkpoint at all', async () => {
      const original = readFileSync(checkpointFile(), 'utf8');
      const [first] = original.split('\n');
      const forged = signCheckpoint(JSON.parse(first!) as AuditCheckpoint, new Date(), {
        signingKey: generateKeyPairSync('ed25519').privateKey,
        keyId: 'writers-1',
      });
      writeFileSync(checkpointFile(), `${JSON.stringify(forged)}\n`);
      try {
        const run = await auditVerify(['--dir', signed, '--stream', 'gateway-1', '--public-key', keyFile]);
        assert.equal(run.status, 1);
        assert.match(
          run.stdout,
          /^checkpoint-forged: .*checkpoints\.jsonl:1: checkpoint at record 2 \(key writers-1\) has a signature none/,
        );
        rmSync(checkpointFile());
        const none = await auditVerify(['--dir', signed, '--stream', 'gateway-1', '--public-key', keyFile]);
        assert.equal(none.status, 1);
        assert.match(none.stdout, /\nunsigned: no signed checkpoint was found, though --public-key was given/);
      } finally {
        writeFileSync(checkpointFile(), original);
      }
    });

    it('refuses a key file that is not an Ed25519 key, exit 3', async () => {
      const run = await auditVerify(['--dir', signed, '--stream', 'gateway-1', '--public-key', dayFile()]);
      assert.equal(run.status, 3);
      assert.match(run.stderr, /^audit:verify: /);
    });
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
      const sink = await PostgresAuditSink.open({ pool, stream: 'gateway-1', checkpoints });
      await Promise.all([1, 2, 3].map((index) => sink.append(auditEvent(index))));
      await sink.close();
      const env = { PGHOST: '127.0.0.1', PGPORT: String(harness.port), PGUSER: 'postgres', PGDATABASE: 'postgres' };

      const good = await auditVerify(['--postgres', '--stream', 'gateway-1'], env);
      assert.equal(good.status, 0, good.stderr);
      assert.match(good.stdout, /^ok: 3 records of stream gateway-1 verify/);
      const keyFolder = mkdtempSync(join(tmpdir(), 'fingraph-audit-cli-key-'));
      try {
        writeFileSync(join(keyFolder, 'writers.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
        const withKey = await auditVerify(['--postgres', '--stream', 'gateway-1', '--public-key', join(keyFolder, 'writers.pub.pem')], env);
        assert.equal(withKey.status, 0, withKey.stderr);
        assert.match(withKey.stdout, /\ncheckpoints: 1 verify with the public key, covering records up to seq 3\n$/);
      } finally {
        rmSync(keyFolder, { recursive: true, force: true });
      }

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
