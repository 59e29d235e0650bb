// Walks an audit chain and reports the first record that is malformed, edited, missing, moved or from another stream,
// naming its file, line and sequence number, so an auditor can go straight to it.
import { readFile } from 'node:fs/promises';
import { type ChainHead, emptyChainHead, recordHash } from './chain.js';
import { type AuditRecord, auditRecordSchema } from './record.js';

export type AuditProblemKind = 'malformed' | 'tampered' | 'missing' | 'reordered' | 'duplicate' | 'broken-link' | 'foreign-stream';

export interface AuditProblem {
  kind: AuditProblemKind;
  file: string | null;
  /** 1-based line in the file (or index + 1 in the lines given). */
  line: number;
  /** The sequence number the record carries, null when the line does not parse. */
  seq: number | null;
  /** The sequence number the chain expected at this line. */
  expectedSeq: number;
  message: string;
}

export type AuditVerification =
  | { ok: true; records: number; head: ChainHead; stream: string | null }
  | { ok: false; records: number; problem: AuditProblem };

export interface VerifyOptions {
  /** The stream every record must belong to; by default the first record's. */
  stream?: string;
  /**
   * Where the chain stood before these lines. Omitted, a chain starting at seq 1 must start from the genesis hash and
   * one starting later is taken from its first record (a single day's file checked alone cannot see the day before).
   */
  from?: ChainHead;
  /** Named in problems. */
  file?: string;
}

function parse(line: string): AuditRecord | undefined {
  try {
    const result = auditRecordSchema.safeParse(JSON.parse(line));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

export function verifyLines(lines: readonly string[], options: VerifyOptions = {}): AuditVerification {
  const file = options.file ?? null;
  const records = lines.map((line) => (line.trim() === '' ? undefined : parse(line)));
  // Read ahead once, so that a record out of place can be told apart from one that is gone.
  const seqsPresent = new Set(records.flatMap((record) => (record ? [record.seq] : [])));
  let stream = options.stream;
  let head: ChainHead | undefined = options.from;
  let verified = 0;
  const fail = (kind: AuditProblemKind, index: number, seq: number | null, expectedSeq: number, message: string): AuditVerification => ({
    ok: false,
    records: verified,
    problem: { kind, file, line: index + 1, seq, expectedSeq, message: `${file ?? 'audit chain'}:${index + 1}: ${message}` },
  });

  for (const [index, line] of lines.entries()) {
    // Only a final newline may leave an empty line: an empty line inside the file is a removed record's trace.
    if (line === '' && index === lines.length - 1) break;
    const record = records[index];
    const expectedSeq = (head?.seq ?? 0) + 1;
    if (!record) return fail('malformed', index, null, expectedSeq, 'not a valid audit record');
    stream ??= record.stream;
    if (record.stream !== stream) {
      return fail('foreign-stream', index, record.seq, expectedSeq, `record of stream ${record.stream} in stream ${stream}`);
    }
    if (recordHash(record) !== record.hash) {
      return fail('tampered', index, record.seq, expectedSeq, `record ${record.seq} does not match its hash: it was edited`);
    }
    head ??= record.seq === 1 ? emptyChainHead : { seq: record.seq - 1, hash: record.prevHash };
    if (record.seq !== head.seq + 1) {
      const expected = head.seq + 1;
      if (record.seq <= head.seq) {
        return fail('duplicate', index, record.seq, expected, `record ${record.seq} again after record ${head.seq}`);
      }
      if (seqsPresent.has(expected)) {
        return fail('reordered', index, record.seq, expected, `record ${record.seq} where record ${expected} belongs (it comes later)`);
      }
      return fail('missing', index, record.seq, expected, `record ${expected} is missing before record ${record.seq}`);
    }
    if (record.prevHash !== head.hash) {
      return fail(
        'broken-link',
        index,
        record.seq,
        expectedSeq,
        `record ${record.seq} does not follow record ${head.seq}: the chain was rewritten`,
      );
    }
    head = { seq: record.seq, hash: record.hash };
    verified += 1;
  }
  return { ok: true, records: verified, head: head ?? options.from ?? emptyChainHead, stream: stream ?? null };
}

export async function verifyFile(path: string, options: Omit<VerifyOptions, 'file'> = {}): Promise<AuditVerification> {
  const text = await readFile(path, 'utf8');
  return verifyLines(text.split('\n'), { ...options, file: path });
}

/** Verifies one stream's day files in order, each chained to the one before, from the genesis hash. */
export async function verifyFiles(paths: readonly string[], options: Pick<VerifyOptions, 'stream'> = {}): Promise<AuditVerification> {
  let head = emptyChainHead;
  let records = 0;
  let stream = options.stream;
  for (const path of paths) {
    const result = await verifyFile(path, { from: head, ...(stream ? { stream } : {}) });
    if (!result.ok) return { ok: false, records: records + result.records, problem: result.problem };
    records += result.records;
    head = result.head;
    stream ??= result.stream ?? undefined;
  }
  return { ok: true, records, head, stream: stream ?? null };
}
