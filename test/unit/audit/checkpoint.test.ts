// Signed checkpoints over lines in memory: a valid run verifies with the public key; a tail edited and re-hashed
// consistently passes the bare chain but not its checkpoints; a forged signature, a tail cut after a checkpoint and a
// key of the wrong type are named; the PEM helpers load a key and derive its public half and id.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type AuditCheckpoint,
  type AuditRecord,
  checkpointKeyId,
  checkpointVerifies,
  loadCheckpointKey,
  loadCheckpointSigner,
  signCheckpoint,
  verifyLines,
  verifyWithCheckpoints,
} from '../../../lib/audit/index.js';
import { expectedLines, rewriteTail } from './fixtures.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer = { signingKey: privateKey, keyId: checkpointKeyId(publicKey) };
const keys = [{ publicKey, keyId: signer.keyId }];

/** Ten records with checkpoints after records 4 and 8, as a writer with everyRecords 4 leaves them. */
function signedRun(): { records: string[]; checkpoints: string[] } {
  const records = expectedLines('gateway-1', 10);
  const checkpoints = [4, 8].map((seq) => {
    const record = JSON.parse(records[seq - 1]!) as AuditRecord;
    return JSON.stringify(signCheckpoint(record, new Date('2026-12-06T05:00:00.000Z'), signer));
  });
  return { records, checkpoints };
}

function check(records: string[], checkpoints: string[]) {
  return verifyWithCheckpoints([{ file: 'day.jsonl', lines: records }], [{ file: 'day.checkpoints.jsonl', lines: checkpoints }], {
    stream: 'gateway-1',
    keys,
  });
}

describe('audit checkpoints', () => {
  it('verifies a valid run, and says how far the checkpoints cover', () => {
    const { records, checkpoints } = signedRun();
    const result = check([...records, ''], [...checkpoints, '']);
    assert.ok(result.ok, result.ok ? '' : result.problem.message);
    assert.equal(result.records, 10);
    assert.deepEqual(result.checkpoints, { count: 2, coveredSeq: 8 });
  });

  it('catches a tail edited and re-hashed consistently, which the bare chain cannot', () => {
    const { records, checkpoints } = signedRun();
    const forged = rewriteTail(records, 5, (record) => ({ ...record, sub: 'someone_else' }));
    assert.ok(verifyLines(forged).ok, 'the bare chain is fooled');
    const result = check(forged, checkpoints);
    assert.equal(result.ok, false);
    const problem = result.ok ? undefined : result.problem;
    assert.deepEqual([problem?.kind, problem?.seq, problem?.line, problem?.file], ['checkpoint-mismatch', 8, 8, 'day.jsonl']);
    assert.match(problem?.message ?? '', /record 8 is not the record checkpoint day\.checkpoints\.jsonl:2 signed/);
  });

  it('names a checkpoint whose signature does not verify', () => {
    const { records, checkpoints } = signedRun();
    const genuine = JSON.parse(checkpoints[1]!) as AuditCheckpoint;
    // A forger re-hashed the tail and wrote a checkpoint for it, but signed with a key of their own.
    const forged = rewriteTail(records, 5, (record) => ({ ...record, sub: 'someone_else' }));
    const eighth = JSON.parse(forged[7]!) as AuditRecord;
    const own = generateKeyPairSync('ed25519').privateKey;
    const fake = signCheckpoint(eighth, new Date(genuine.at), { signingKey: own, keyId: genuine.keyId });
    const result = check(forged, [checkpoints[0]!, JSON.stringify(fake)]);
    const problem = result.ok ? undefined : result.problem;
    assert.deepEqual([problem?.kind, problem?.seq, problem?.line, problem?.file], ['checkpoint-forged', 8, 2, 'day.checkpoints.jsonl']);
    assert.match(problem?.message ?? '', /checkpoint at record 8 .* has a signature none of the given public keys made/);
    // The genuine checkpoint's fields changed after signing fail the same way.
    const edited = JSON.stringify({ ...genuine, hash: eighth.hash });
    assert.equal((check(forged, [checkpoints[0]!, edited]) as { problem?: { kind: string } }).problem?.kind, 'checkpoint-forged');
  });

  it('names records cut off after the last checkpoint', () => {
    const { records, checkpoints } = signedRun();
    const cut = records.slice(0, 6);
    assert.ok(verifyLines(cut).ok, 'the bare chain is fooled');
    const result = check(cut, checkpoints);
    const problem = result.ok ? undefined : result.problem;
    assert.deepEqual([problem?.kind, problem?.seq, problem?.expectedSeq, problem?.line], ['truncated', 8, 7, 2]);
    assert.match(problem?.message ?? '', /the chain ends at record 6, but this signed checkpoint proves record 8 was written/);
  });

  it('names a checkpoint line that does not parse or belongs to another stream', () => {
    const { records, checkpoints } = signedRun();
    assert.equal((check(records, ['{"seq":4}']) as { problem?: { kind: string } }).problem?.kind, 'checkpoint-invalid');
    const other = JSON.stringify(signCheckpoint({ stream: 'gateway-2', seq: 4, hash: 'a'.repeat(64) }, new Date(), signer));
    assert.equal((check(records, [checkpoints[0]!, other]) as { problem?: { kind: string } }).problem?.kind, 'checkpoint-invalid');
  });

  it('verifies only with a key of the checkpoint id, or one given without an id', () => {
    const checkpoint = signCheckpoint({ stream: 's', seq: 1, hash: 'b'.repeat(64) }, new Date(), signer);
    assert.ok(checkpointVerifies(checkpoint, [{ publicKey }]));
    assert.equal(checkpointVerifies(checkpoint, [{ publicKey, keyId: 'another' }]), false);
    const rsaPair = generateKeyPairSync('rsa', { modulusLength: 1024 });
    assert.equal(
      checkpointVerifies(checkpoint, [{ publicKey: rsaPair.publicKey }, { publicKey }]),
      true,
      'a key of another type is passed over',
    );
    assert.equal(checkpointVerifies(checkpoint, [{ publicKey: rsaPair.publicKey }]), false);
    const rsa = rsaPair.privateKey;
    assert.throws(() => signCheckpoint(checkpoint, new Date(), { signingKey: rsa, keyId: 'x' }), /must be an Ed25519 key, got rsa/);
  });

  it('loads a PEM private key, derives its public half and id, and loads a public key for auditors', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'fingraph-audit-keys-'));
    try {
      const privatePath = join(folder, 'signing.pem');
      const publicPath = join(folder, 'public.pem');
      writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
      writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }));
      const loaded = await loadCheckpointSigner(privatePath);
      assert.equal(loaded.keyId, signer.keyId);
      assert.match(loaded.keyId, /^[0-9a-f]{16}$/);
      const auditor = await loadCheckpointKey(publicPath);
      assert.equal(auditor.keyId, signer.keyId);
      const checkpoint = signCheckpoint({ stream: 's', seq: 3, hash: 'c'.repeat(64) }, new Date(), loaded);
      assert.ok(checkpointVerifies(checkpoint, [auditor]));
      writeFileSync(
        join(folder, 'rsa.pem'),
        generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
      );
      await assert.rejects(loadCheckpointSigner(join(folder, 'rsa.pem')), /must be an Ed25519 key/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
