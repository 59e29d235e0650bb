// Walks an audit chain and reports the first record that is malformed, edited, missing, moved or from another stream,
// naming its file, line and sequence number, so an auditor can go straight to it; with the writers' public keys, also a
// forged checkpoint, a record that is not the one a checkpoint signed, and a tail cut off after a checkpoint.
import { readFile } from 'node:fs/promises';
import { type ChainHead, emptyChainHead, recordHash } from './chain.js';
import { type AuditCheckpoint, auditCheckpointSchema, type CheckpointKey, checkpointVerifies } from './checkpoint.js';
import { type AuditRecord, auditRecordSchema } from './record.js';

export type AuditProblemKind =
  | 'malformed'
  | 'tampered'
  | 'missing'
  | 'reordered'
  | 'duplicate'
  | 'broken-link'
  | 'foreign-stream'
  /** A checkpoint line that does not parse, or belongs to another stream. */
  | 'checkpoint-invalid'
  /** A checkpoint whose signature none of the given keys made. */
  | 'checkpoint-forged'
  /** A record whose hash is not the one a valid checkpoint signed for its seq: the chain was rewritten up to it. */
  | 'checkpoint-mismatch'
  /** The chain ends before a record a valid checkpoint proves was written. */
  | 'truncated';

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
  | {
      ok: true;
      records: number;
      head: ChainHead;
      stream: string | null;
      /** Present only when checkpoints were checked: how many verified, and the newest record they cover (0: none). */
      checkpoints?: { count: number; coveredSeq: number };
    }
  | { ok: false; records: number; problem: AuditProblem };

/** What a valid checkpoint says a record's hash must be, and where it says so (for the message). */
interface Expected {
  hash: string;
  where: string;
}

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
  /** Hashes signed checkpoints vouch for, by seq. */
  expected?: ReadonlyMap<number, Expected>;
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
    const expected = options.expected?.get(record.seq);
    if (expected && expected.hash !== record.hash) {
      return fail(
        'checkpoint-mismatch',
        index,
        record.seq,
        expectedSeq,
        `record ${record.seq} is not the record checkpoint ${expected.where} signed: the chain was rewritten up to here`,
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

/** Lines from one place (a file, a table), named in problems. */
export interface AuditSource {
  file: string;
  lines: readonly string[];
}

/** Sources of one stream, in order, each chained to the one before, from the genesis hash. */
function verifySources(sources: readonly AuditSource[], options: Pick<VerifyOptions, 'stream' | 'expected'>): AuditVerification {
  let head = emptyChainHead;
  let records = 0;
  let stream = options.stream;
  for (const source of sources) {
    const result = verifyLines(source.lines, {
      from: head,
      file: source.file,
      ...(stream ? { stream } : {}),
      ...(options.expected ? { expected: options.expected } : {}),
    });
    if (!result.ok) return { ok: false, records: records + result.records, problem: result.problem };
    records += result.records;
    head = result.head;
    stream ??= result.stream ?? undefined;
  }
  return { ok: true, records, head, stream: stream ?? null };
}

async function readSources(paths: readonly string[]): Promise<AuditSource[]> {
  return Promise.all(paths.map(async (file) => ({ file, lines: (await readFile(file, 'utf8')).split('\n') })));
}

export interface CheckpointVerifyOptions {
  /** The stream of the records and checkpoints; by default the first checkpoint's (then the first record's). */
  stream?: string;
  /** The writers' public keys: a checkpoint verifies when one of them made its signature. */
  keys: readonly CheckpointKey[];
}

/**
 * Verifies the chain as verifySources does, and the checkpoints: each one's signature must verify with one of the keys
 * (else it is named as forged), the record at its seq must carry exactly its hash, and the chain must reach the newest
 * checkpoint's seq. A tail rewritten and re-hashed consistently passes the chain alone but not this.
 */
export function verifyWithCheckpoints(
  records: readonly AuditSource[],
  checkpoints: readonly AuditSource[],
  options: CheckpointVerifyOptions,
): AuditVerification {
  let stream = options.stream;
  const expected = new Map<number, Expected>();
  let newest: { checkpoint: AuditCheckpoint; file: string; line: number } | undefined;
  let count = 0;
  const fail = (
    kind: AuditProblemKind,
    file: string,
    line: number,
    seq: number | null,
    message: string,
    chain: { records: number; expectedSeq: number } = { records: 0, expectedSeq: seq ?? 0 },
  ): AuditVerification => ({
    ok: false,
    records: chain.records,
    problem: { kind, file, line, seq, expectedSeq: chain.expectedSeq, message: `${file}:${line}: ${message}` },
  });
  for (const source of checkpoints) {
    for (const [index, line] of source.lines.entries()) {
      if (line === '' && index === source.lines.length - 1) break;
      let parsed: AuditCheckpoint | undefined;
      try {
        const result = auditCheckpointSchema.safeParse(JSON.parse(line));
        parsed = result.success ? result.data : undefined;
      } catch {
        parsed = undefined;
      }
      if (!parsed) return fail('checkpoint-invalid', source.file, index + 1, null, 'not a valid audit checkpoint');
      stream ??= parsed.stream;
      if (parsed.stream !== stream) {
        return fail(
          'checkpoint-invalid',
          source.file,
          index + 1,
          parsed.seq,
          `checkpoint of stream ${parsed.stream} among stream ${stream}'s`,
        );
      }
      if (!checkpointVerifies(parsed, options.keys)) {
        return fail(
          'checkpoint-forged',
          source.file,
          index + 1,
          parsed.seq,
          `checkpoint at record ${parsed.seq} (key ${parsed.keyId}) has a signature none of the given public keys made`,
        );
      }
      const where = `${source.file}:${index + 1}`;
      const earlier = expected.get(parsed.seq);
      if (earlier && earlier.hash !== parsed.hash) {
        return fail(
          'checkpoint-mismatch',
          source.file,
          index + 1,
          parsed.seq,
          `a second signed checkpoint for record ${parsed.seq} with another hash than ${earlier.where}: the writers forked the chain`,
        );
      }
      expected.set(parsed.seq, { hash: parsed.hash, where });
      if (!newest || parsed.seq > newest.checkpoint.seq) newest = { checkpoint: parsed, file: source.file, line: index + 1 };
      count += 1;
    }
  }
  const chain = verifySources(records, { ...(stream ? { stream } : {}), expected });
  if (!chain.ok) return chain;
  if (newest && newest.checkpoint.seq > chain.head.seq) {
    return fail(
      'truncated',
      newest.file,
      newest.line,
      newest.checkpoint.seq,
      `the chain ends at record ${chain.head.seq}, but this signed checkpoint proves record ${newest.checkpoint.seq} was written: records ${chain.head.seq + 1} to ${newest.checkpoint.seq} are gone`,
      { records: chain.records, expectedSeq: chain.head.seq + 1 },
    );
  }
  return { ...chain, checkpoints: { count, coveredSeq: newest?.checkpoint.seq ?? 0 } };
}

/**
 * Verifies one stream's day files in order, each chained to the one before, from the genesis hash. With
 * `checkpointKeys` and `checkpointFiles`, the checkpoints too (verifyWithCheckpoints).
 */
export async function verifyFiles(
  paths: readonly string[],
  options: Pick<VerifyOptions, 'stream'> & { checkpointKeys?: readonly CheckpointKey[]; checkpointFiles?: readonly string[] } = {},
): Promise<AuditVerification> {
  const sources = await readSources(paths);
  if (!options.checkpointKeys) return verifySources(sources, options.stream ? { stream: options.stream } : {});
  return verifyWithCheckpoints(sources, await readSources(options.checkpointFiles ?? []), {
    keys: options.checkpointKeys,
    ...(options.stream ? { stream: options.stream } : {}),
  });
}
