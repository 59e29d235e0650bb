// The file sink: records written in batches to one file per stream and UTC day verify across days and reopenings; an
// edited, deleted or swapped line in a file is found and named; a full queue and a torn last line are refused; a write
// the disk refuses (ENOSPC from /dev/full, which stops root too) is retried after the part of a line it left is cut
// back, on the same day or the next; signed checkpoints go beside the day files and catch a re-hashed tail.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  AuditForkError,
  AuditQueueFullError,
  type AuditRecord,
  auditCheckpointFiles,
  auditFiles,
  FileAuditSink,
  verifyFile,
  verifyFiles,
} from '../../../lib/audit/index.js';
import { auditEvent, expectedLines, rewriteTail } from './fixtures.js';
import { ManualScheduler } from './manualScheduler.js';

const retryTimer = (timer: { keepAlive: boolean }) => timer.keepAlive;

describe('file audit sink', () => {
  let directory: string;
  let today: Date;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'fingraph-audit-'));
    today = new Date('2026-12-06T23:59:59.000Z');
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  async function write(count: number, options: { maxBatchRecords?: number } = {}): Promise<AuditRecord[]> {
    const sink = await FileAuditSink.open({ directory, stream: 'gateway-1', now: () => today, ...options });
    const records = await Promise.all(Array.from({ length: count }, (_, index) => sink.append(auditEvent(index + 1))));
    await sink.close();
    return records;
  }

  function dayFile(): string {
    return join(directory, 'gateway-1-2026-12-06.jsonl');
  }

  it('writes every record, in the order appended, to the day file, and the file verifies', async () => {
    const records = await write(50, { maxBatchRecords: 7 });
    assert.deepEqual(
      records.map((record) => record.seq),
      Array.from({ length: 50 }, (_, index) => index + 1),
    );
    const lines = readFileSync(dayFile(), 'utf8').trimEnd().split('\n');
    assert.deepEqual(
      lines,
      records.map((record) => JSON.stringify(record)),
    );
    assert.equal(statSync(dayFile()).mode & 0o777, 0o640);
    const result = await verifyFile(dayFile());
    assert.ok(result.ok);
    assert.equal(result.records, 50);
  });

  it('continues the chain when reopened and into the next day file', async () => {
    await write(3);
    today = new Date('2026-12-07T00:00:01.000Z');
    const sink = await FileAuditSink.open({ directory, stream: 'gateway-1', now: () => today });
    const next = await sink.append(auditEvent(4));
    await sink.close();
    assert.equal(next.seq, 4);
    const files = await auditFiles(directory, 'gateway-1');
    assert.deepEqual(
      files.map((file) => file.slice(directory.length + 1)),
      ['gateway-1-2026-12-06.jsonl', 'gateway-1-2026-12-07.jsonl'],
    );
    const result = await verifyFiles(files);
    assert.ok(result.ok);
    assert.equal(result.records, 4);

    rmSync(files[0]!);
    const withoutFirstDay = await verifyFiles(await auditFiles(directory, 'gateway-1'));
    assert.equal(withoutFirstDay.ok ? undefined : withoutFirstDay.problem.kind, 'missing', 'a removed day file is found');
  });

  it('finds and names an edited, a deleted and two swapped records in the file', async () => {
    await write(20);
    const original = readFileSync(dayFile(), 'utf8').split('\n');

    const edited = [...original];
    edited[9] = edited[9]!.replace('"sub":"user_10"', '"sub":"user_11"');
    assert.notEqual(edited[9], original[9]);
    writeFileSync(dayFile(), edited.join('\n'));
    let result = await verifyFile(dayFile());
    assert.deepEqual(result.ok ? undefined : [result.problem.kind, result.problem.line, result.problem.seq], ['tampered', 10, 10]);
    assert.match(result.ok ? '' : result.problem.message, /gateway-1-2026-12-06\.jsonl:10: record 10 does not match its hash/);

    writeFileSync(dayFile(), original.filter((_, index) => index !== 12).join('\n'));
    result = await verifyFile(dayFile());
    assert.deepEqual(result.ok ? undefined : [result.problem.kind, result.problem.expectedSeq], ['missing', 13]);

    const swapped = [...original];
    [swapped[15], swapped[16]] = [swapped[16]!, swapped[15]!];
    writeFileSync(dayFile(), swapped.join('\n'));
    result = await verifyFile(dayFile());
    assert.deepEqual(result.ok ? undefined : [result.problem.kind, result.problem.line, result.problem.seq], ['reordered', 16, 17]);
  });

  it('refuses to chain onto a file whose last line is torn', async () => {
    await write(2);
    writeFileSync(dayFile(), `${readFileSync(dayFile(), 'utf8')}{"type":"api.ca`);
    await assert.rejects(
      FileAuditSink.open({ directory, stream: 'gateway-1', now: () => today }),
      /ends with a line that is not an audit record/,
    );
  });

  it('refuses to chain on when records a signed checkpoint vouches for are gone from the day files', async () => {
    const sink = await FileAuditSink.open({
      directory,
      stream: 'gateway-1',
      now: () => today,
      checkpoints: { signingKey: generateKeyPairSync('ed25519').privateKey, keyId: 'unit' },
    });
    for (let index = 1; index <= 3; index += 1) await sink.append(auditEvent(index));
    await sink.close();
    // The newest record cut away: the chain alone would continue from record 2 and leave no gap to find.
    const lines = readFileSync(dayFile(), 'utf8').trimEnd().split('\n');
    writeFileSync(dayFile(), `${lines.slice(0, 2).join('\n')}\n`);
    await assert.rejects(
      FileAuditSink.open({ directory, stream: 'gateway-1', now: () => today }),
      /a signed checkpoint vouches for record 3 but the day files end at 2/,
    );
  });

  it('refuses an event past the queue bound, and the queued ones are still written', async () => {
    const sink = await FileAuditSink.open({ directory, stream: 'gateway-1', now: () => today, maxQueuedRecords: 3 });
    const written = [1, 2, 3].map((index) => sink.append(auditEvent(index)));
    assert.equal(sink.queued, 3);
    await assert.rejects(sink.append(auditEvent(4)), AuditQueueFullError);
    await Promise.all(written);
    await sink.close();
    const result = await verifyFile(dayFile());
    assert.ok(result.ok);
    assert.equal(result.records, 3);
  });

  it('refuses a stream name that is not a safe file name', async () => {
    await assert.rejects(FileAuditSink.open({ directory, stream: '../elsewhere' }), /audit stream must be/);
  });

  describe('when the disk refuses a write', () => {
    // Every write to /dev/full fails with ENOSPC, whoever the writer is: a real failure, not a simulated one.
    beforeEach(() => {
      assert.ok(existsSync('/dev/full'), 'these tests need /dev/full');
    });

    it('retries after cutting back the part of a line the failed write left, and the file verifies', async () => {
      const scheduler = new ManualScheduler();
      const sink = await FileAuditSink.open({ directory, stream: 'gateway-1', now: () => today, scheduler });
      symlinkSync('/dev/full', dayFile());
      const pending = [1, 2].map((index) => sink.append(auditEvent(index)));
      const timer = await scheduler.next(retryTimer);
      assert.equal(sink.writable, false);
      assert.equal(sink.writeErrors, 1);
      assert.equal(sink.queued, 2);
      // What a write cut short leaves behind: the first bytes of its first line.
      const lines = expectedLines('gateway-1', 2);
      rmSync(dayFile());
      writeFileSync(dayFile(), lines[0]!.slice(0, 40));
      timer.fire();
      await Promise.all(pending);
      assert.equal(readFileSync(dayFile(), 'utf8'), `${lines.join('\n')}\n`, 'each record once, no torn bytes');
      assert.equal(sink.writable, true);
      assert.equal(sink.writeErrors, 1);
      await sink.close();
      const result = await verifyFile(dayFile());
      assert.ok(result.ok);
      assert.equal(result.records, 2);
    });

    it('cuts back the torn file of the day before when the retry goes to the next day', async () => {
      const scheduler = new ManualScheduler();
      const sink = await FileAuditSink.open({ directory, stream: 'gateway-1', now: () => today, scheduler });
      await sink.append(auditEvent(1));
      today = new Date('2026-12-07T00:00:01.000Z');
      const secondDay = join(directory, 'gateway-1-2026-12-07.jsonl');
      symlinkSync('/dev/full', secondDay);
      const pending = [2, 3].map((index) => sink.append(auditEvent(index)));
      const timer = await scheduler.next(retryTimer);
      rmSync(secondDay);
      writeFileSync(secondDay, expectedLines('gateway-1', 1, 2)[0]!);
      today = new Date('2026-12-08T00:00:01.000Z');
      timer.fire();
      await Promise.all(pending);
      await sink.close();
      assert.equal(readFileSync(secondDay, 'utf8'), '', 'the whole line the failed write left is cut: it is in the next day');
      const result = await verifyFiles(await auditFiles(directory, 'gateway-1'));
      assert.ok(result.ok, result.ok ? '' : result.problem.message);
      assert.equal(result.records, 3);
    });

    it('fails closed when the file holds bytes it did not write, rather than cut them', async () => {
      const scheduler = new ManualScheduler();
      const sink = await FileAuditSink.open({ directory, stream: 'gateway-1', now: () => today, scheduler });
      symlinkSync('/dev/full', dayFile());
      const pending = sink.append(auditEvent(1));
      const timer = await scheduler.next(retryTimer);
      rmSync(dayFile());
      writeFileSync(dayFile(), '{"written":"by someone else"}\n');
      timer.fire();
      await assert.rejects(
        pending,
        (error: Error) => error instanceof AuditForkError && /bytes .* that it did not write/.test(error.message),
      );
      assert.equal(sink.writable, false);
      assert.equal(sink.hasRoom(), false);
      assert.equal(readFileSync(dayFile(), 'utf8'), '{"written":"by someone else"}\n', 'nothing cut or added');
      await sink.close();
    });

    it('does not write the records twice when only the checkpoint after them failed', async () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const scheduler = new ManualScheduler();
      const sink = await FileAuditSink.open({
        directory,
        stream: 'gateway-1',
        now: () => today,
        scheduler,
        checkpoints: { signingKey: privateKey, keyId: 'k1', everyRecords: 2 },
      });
      const checkpointFile = join(directory, 'gateway-1-2026-12-06.checkpoints.jsonl');
      symlinkSync('/dev/full', checkpointFile);
      const pending = [1, 2].map((index) => sink.append(auditEvent(index)));
      const timer = await scheduler.next(retryTimer);
      rmSync(checkpointFile);
      timer.fire();
      await Promise.all(pending);
      await sink.close();
      assert.equal(readFileSync(dayFile(), 'utf8'), `${expectedLines('gateway-1', 2).join('\n')}\n`);
      assert.deepEqual(
        readFileSync(checkpointFile, 'utf8')
          .trimEnd()
          .split('\n')
          .map((line) => (JSON.parse(line) as { seq: number }).seq),
        [2],
      );
    });
  });

  it('writes signed checkpoints beside the day files; they verify, and catch a tail re-hashed or cut', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const sink = await FileAuditSink.open({
      directory,
      stream: 'gateway-1',
      now: () => today,
      maxBatchRecords: 4,
      checkpoints: { signingKey: privateKey, keyId: 'k1', everyRecords: 4 },
    });
    await Promise.all(Array.from({ length: 10 }, (_, index) => sink.append(auditEvent(index + 1))));
    await sink.close();
    const checkpointFiles = await auditCheckpointFiles(directory, 'gateway-1');
    assert.deepEqual(
      checkpointFiles.map((file) => file.slice(directory.length + 1)),
      ['gateway-1-2026-12-06.checkpoints.jsonl'],
    );
    assert.deepEqual(await auditFiles(directory, 'gateway-1'), [dayFile()], 'checkpoint files are not day files');
    const seqs = readFileSync(checkpointFiles[0]!, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { seq: number }).seq);
    assert.deepEqual(seqs, [4, 8, 10], 'every 4 records and at close');
    const options = { checkpointKeys: [{ publicKey }], checkpointFiles };
    const good = await verifyFiles([dayFile()], options);
    assert.ok(good.ok);
    assert.deepEqual(good.checkpoints, { count: 3, coveredSeq: 10 });

    const original = readFileSync(dayFile(), 'utf8').split('\n');
    writeFileSync(dayFile(), rewriteTail(original, 6, (record: AuditRecord) => ({ ...record, tenant: 'tenant_b' })).join('\n'));
    assert.ok((await verifyFiles([dayFile()])).ok, 'the bare chain is fooled');
    const rewritten = await verifyFiles([dayFile()], options);
    assert.deepEqual(rewritten.ok ? undefined : [rewritten.problem.kind, rewritten.problem.seq], ['checkpoint-mismatch', 8]);

    writeFileSync(dayFile(), `${original.slice(0, 9).join('\n')}\n`);
    const cut = await verifyFiles([dayFile()], options);
    assert.deepEqual(cut.ok ? undefined : [cut.problem.kind, cut.problem.seq, cut.problem.expectedSeq], ['truncated', 10, 10]);
  });
});
