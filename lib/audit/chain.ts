// The hash chain: each record carries the SHA-256 of its stream's previous record and its own over a canonical JSON,
// so editing, removing or moving any record breaks a check that anyone holding the file can run.
import { createHash } from 'node:crypto';
import { type AuditEvent, type AuditRecord, auditEventSchema, genesisHash } from './record.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * Keys sorted at every level and no whitespace: the same record always hashes the same, whatever order its fields
 * were built in (JSON.stringify alone follows insertion order).
 */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash a record must carry: over every field but `hash` itself. */
export function recordHash(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = record;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Where a stream's chain stands: the last record's position and hash. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const emptyChainHead: ChainHead = { seq: 0, hash: genesisHash };

/** Links events into one stream's chain; not shared between writers, since two would fork the chain. */
export class AuditChain {
  private head: ChainHead;

  constructor(
    readonly stream: string,
    head: ChainHead = emptyChainHead,
  ) {
    this.head = head;
  }

  get position(): ChainHead {
    return this.head;
  }

  /** Checks the event (strictly: no unlisted field reaches the trail) and returns it chained after the last one. */
  link(event: AuditEvent): AuditRecord {
    const checked = auditEventSchema.parse(event);
    const unhashed = { ...checked, stream: this.stream, seq: this.head.seq + 1, prevHash: this.head.hash };
    const record: AuditRecord = { ...unhashed, hash: recordHash(unhashed) };
    this.head = { seq: record.seq, hash: record.hash };
    return record;
  }
}
