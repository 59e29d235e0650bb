// A real audit sink for unit tests (day files in a temporary folder), and what it wrote read back: the writers' tests
// go through the same queue, chain and files as the services do, not through a stand-in.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditFiles, FileAuditSink } from '../../lib/audit/fileSink.js';
import { type AuditRecord, auditRecordSchema } from '../../lib/audit/record.js';

export interface TestAuditSink {
  readonly sink: FileAuditSink;
  /** Every record written so far, once the queue is flushed. */
  records(): Promise<AuditRecord[]>;
}

export async function openTestAuditSink(options: { maxQueuedRecords?: number } = {}): Promise<TestAuditSink> {
  const directory = mkdtempSync(join(tmpdir(), 'fingraph-audit-unit-'));
  const sink = await FileAuditSink.open({ directory, stream: 'test', ...options });
  return {
    sink,
    async records() {
      await sink.flush();
      return (await auditFiles(directory, 'test'))
        .flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean))
        .map((line) => auditRecordSchema.parse(JSON.parse(line)));
    },
  };
}

/** A sink whose one place is held: it has no room, as a sink whose store is down and queue is full. */
export async function openFullAuditSink(): Promise<FileAuditSink> {
  const { sink } = await openTestAuditSink({ maxQueuedRecords: 1 });
  if (!sink.reserve()) throw new Error('a new sink has room');
  return sink;
}
