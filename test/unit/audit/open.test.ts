// Opening the sink an AuditConfig names: day files with signed checkpoints when a key is given, and the
// development-only `off` that takes records and keeps none (the benchmark's baseline).
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readAuditConfig } from '../../../lib/audit/config.js';
import { auditCheckpointFiles, auditFiles } from '../../../lib/audit/fileSink.js';
import { openAuditSink } from '../../../lib/audit/open.js';
import { verifyFiles } from '../../../lib/audit/verify.js';
import { createLogger } from '../../../lib/logging/logger.js';
import { auditEvent } from './fixtures.js';

const logger = createLogger('test', { level: 'silent' });

describe('openAuditSink', () => {
  it('writes day files whose checkpoints are signed with AUDIT_SIGNING_KEY_FILE', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'fingraph-audit-open-'));
    const { privateKey } = generateKeyPairSync('ed25519');
    const keyFile = join(mkdtempSync(join(tmpdir(), 'fingraph-audit-key-')), 'signing.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const config = readAuditConfig(
      { NODE_ENV: 'development', AUDIT_SINK: 'file', AUDIT_DIRECTORY: directory, AUDIT_SIGNING_KEY_FILE: keyFile },
      'gateway',
    );
    const sink = await openAuditSink(config, logger);
    for (let index = 1; index <= 3; index += 1) await sink.append(auditEvent(index));
    await sink.close();
    const checkpointFiles = await auditCheckpointFiles(directory, 'gateway');
    assert.equal(checkpointFiles.length, 1, 'closing writes a checkpoint');
    const verified = await verifyFiles(await auditFiles(directory, 'gateway'), {
      stream: 'gateway',
      checkpointKeys: [{ publicKey: createPublicKey(privateKey) }],
      checkpointFiles,
    });
    assert.ok(verified.ok, JSON.stringify(verified));
    const forged = await verifyFiles(await auditFiles(directory, 'gateway'), {
      stream: 'gateway',
      checkpointKeys: [{ publicKey: generateKeyPairSync('ed25519').publicKey }],
      checkpointFiles,
    });
    assert.equal(forged.ok, false, 'another key does not verify them');
  });

  it('with AUDIT_SINK=off (development), takes every record, writes nothing and always has room', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'fingraph-audit-off-'));
    const sink = await openAuditSink(
      readAuditConfig({ NODE_ENV: 'development', AUDIT_SINK: 'off', AUDIT_DIRECTORY: directory }, 'gateway'),
      logger,
    );
    const record = await sink.append(auditEvent(1));
    assert.equal(record.requestId, auditEvent(1).requestId);
    assert.ok(sink.hasRoom() && sink.writable);
    assert.equal(sink.queued, 0);
    await sink.close();
    assert.deepEqual(readdirSync(directory), []);
  });
});
