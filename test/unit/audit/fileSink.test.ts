// The file sink: records written in batches to one file per stream and UTC day verify across days and reopenings; an
// edited, deleted or swapped line in a file is found and named; a full queue and a torn last line are refused.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AuditQueueFullError, type AuditRecord, auditFiles, FileAuditSink, verifyFile, verifyFiles } from '../../../lib/audit/index.js';
import { auditEvent } from './fixtures.js';

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
});
