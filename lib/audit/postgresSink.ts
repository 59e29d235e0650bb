// The production audit sink: an insert-only PostgreSQL table. The writing role is granted INSERT and SELECT only, and a
// trigger refuses UPDATE, DELETE and TRUNCATE even to an owner or superuser, so a change needs a visible DDL step first
// and the hash chain still shows what it touched.
import type pg from 'pg';
import { AuditBatcher, type BatchLimits } from './batcher.js';
import { AuditChain, type ChainHead, emptyChainHead, recordHash } from './chain.js';
import { getValidStream } from './fileSink.js';
import { type AuditEvent, type AuditRecord, auditRecordSchema } from './record.js';
import type { AuditSink } from './sink.js';
import { type AuditVerification, verifyLines } from './verify.js';

export const auditTable = 'audit_records';

// Text, not inet, for the client IP: PostgreSQL rewrites an address's spelling (`2001:DB8::1` → `2001:db8::1`), and
// the hash is over the spelling the record was written with.
const schemaSql = `
CREATE TABLE IF NOT EXISTS ${auditTable} (
  stream text NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  type text NOT NULL,
  action text,
  personal_data boolean NOT NULL,
  at timestamptz NOT NULL,
  outcome text NOT NULL,
  failure_code text,
  sub text,
  tenant text,
  client_ip text,
  user_agent text,
  resource text,
  operation_name text,
  document_hash text,
  fields_served jsonb NOT NULL,
  fields_refused jsonb NOT NULL,
  request_id text NOT NULL,
  trace_id text,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (stream, seq)
);
CREATE INDEX IF NOT EXISTS ${auditTable}_sub_at ON ${auditTable} (sub, at);
CREATE INDEX IF NOT EXISTS ${auditTable}_resource_at ON ${auditTable} (resource, at);
CREATE OR REPLACE FUNCTION ${auditTable}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '${auditTable} is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE OR REPLACE TRIGGER ${auditTable}_no_change BEFORE UPDATE OR DELETE ON ${auditTable}
  FOR EACH ROW EXECUTE FUNCTION ${auditTable}_append_only();
CREATE OR REPLACE TRIGGER ${auditTable}_no_truncate BEFORE TRUNCATE ON ${auditTable}
  FOR EACH STATEMENT EXECUTE FUNCTION ${auditTable}_append_only();
`;

/**
 * Creates the table and its triggers (idempotent), as the schema's owner, never as the writer. With `writerRole`, that
 * role gets INSERT and SELECT and nothing else (SELECT because a restarted writer reads its chain's head).
 */
export async function installAuditSchema(client: pg.ClientBase, options: { writerRole?: string } = {}): Promise<void> {
  await client.query(schemaSql);
  if (options.writerRole !== undefined) {
    const role = client.escapeIdentifier(options.writerRole);
    await client.query(`REVOKE ALL ON ${auditTable} FROM ${role}`);
    await client.query(`GRANT SELECT, INSERT ON ${auditTable} TO ${role}`);
  }
}

const columns = [
  'stream',
  'seq',
  'type',
  'action',
  'personal_data',
  'at',
  'outcome',
  'failure_code',
  'sub',
  'tenant',
  'client_ip',
  'user_agent',
  'resource',
  'operation_name',
  'document_hash',
  'fields_served',
  'fields_refused',
  'request_id',
  'trace_id',
  'prev_hash',
  'hash',
] as const;

type Row = Record<(typeof columns)[number], unknown>;

function toRow(record: AuditRecord): unknown[] {
  return [
    record.stream,
    record.seq,
    record.type,
    record.action,
    record.personalData,
    record.at,
    record.outcome,
    record.failureCode,
    record.sub,
    record.tenant,
    record.clientIp,
    record.userAgent,
    record.resource,
    record.operationName,
    record.documentHash,
    // As JSON text: node-postgres would send a JS array as a PostgreSQL array literal, not as jsonb.
    JSON.stringify(record.fieldsServed),
    JSON.stringify(record.fieldsRefused),
    record.requestId,
    record.traceId,
    record.prevHash,
    record.hash,
  ];
}

/**
 * The record as written, rebuilt from its row: bigint arrives as a string and timestamptz as a Date, whose ISO form
 * is the `at` the schema accepted (UTC, milliseconds). A row that no longer fits the schema comes back as it is, for
 * the verifier to name.
 */
function fromRow(row: Row): unknown {
  return {
    stream: row.stream,
    seq: Number(row.seq),
    type: row.type,
    action: row.action,
    personalData: row.personal_data,
    at: row.at instanceof Date ? row.at.toISOString() : row.at,
    outcome: row.outcome,
    failureCode: row.failure_code,
    sub: row.sub,
    tenant: row.tenant,
    clientIp: row.client_ip,
    userAgent: row.user_agent,
    resource: row.resource,
    operationName: row.operation_name,
    documentHash: row.document_hash,
    fieldsServed: row.fields_served,
    fieldsRefused: row.fields_refused,
    requestId: row.request_id,
    traceId: row.trace_id,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The stream's newest row; one that does not match its hash stops the sink from chaining onto it. */
async function headInTable(pool: pg.Pool, stream: string): Promise<ChainHead> {
  const { rows } = await pool.query<Row>(`SELECT * FROM ${auditTable} WHERE stream = $1 ORDER BY seq DESC LIMIT 1`, [stream]);
  if (rows[0] === undefined) return emptyChainHead;
  const parsed = auditRecordSchema.safeParse(fromRow(rows[0]));
  if (!parsed.success || recordHash(parsed.data) !== parsed.data.hash) {
    throw new Error(`the newest ${auditTable} row of stream ${stream} does not verify; verify the table before writing to it`);
  }
  return { seq: parsed.data.seq, hash: parsed.data.hash };
}

export interface PostgresAuditSinkOptions extends BatchLimits {
  /** Connected as the writing role (INSERT and SELECT on the table only). */
  pool: pg.Pool;
  /** The writer's name: one stream per writing process; a second writer on it fails on the primary key, not forks. */
  stream: string;
}

/** Each batch is one multi-row INSERT: all of it is committed or none. */
export class PostgresAuditSink implements AuditSink {
  private readonly batcher: AuditBatcher;

  private constructor(
    private readonly pool: pg.Pool,
    chain: AuditChain,
    limits: BatchLimits,
  ) {
    this.batcher = new AuditBatcher(chain, (records) => this.write(records), limits);
  }

  static async open(options: PostgresAuditSinkOptions): Promise<PostgresAuditSink> {
    const stream = getValidStream(options.stream);
    const chain = new AuditChain(stream, await headInTable(options.pool, stream));
    return new PostgresAuditSink(options.pool, chain, options);
  }

  /** Records waiting to be written. */
  get queued(): number {
    return this.batcher.queued;
  }

  get writeErrors(): number {
    return this.batcher.writeErrors;
  }

  get writable(): boolean {
    return this.batcher.writable;
  }

  hasRoom(): boolean {
    return this.batcher.hasRoom();
  }

  /** Chains the event now and resolves once its row is committed; see AuditBatcher for refusals. */
  append(event: AuditEvent): Promise<AuditRecord> {
    return this.batcher.append(event);
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  /** Waits for the queue; the pool belongs to the caller. */
  close(): Promise<void> {
    return this.batcher.close();
  }

  private async write(records: AuditRecord[]): Promise<void> {
    const values = records.map((_, row) => `(${columns.map((_column, column) => `$${row * columns.length + column + 1}`).join(', ')})`);
    await this.pool.query(`INSERT INTO ${auditTable} (${columns.join(', ')}) VALUES ${values.join(', ')}`, records.flatMap(toRow));
  }
}

/** Walks one stream's rows in sequence order; a problem's `line` is the row's position in that order. */
export async function verifyTable(client: pg.ClientBase | pg.Pool, stream: string): Promise<AuditVerification> {
  const { rows } = await client.query<Row>(`SELECT * FROM ${auditTable} WHERE stream = $1 ORDER BY seq`, [stream]);
  return verifyLines(
    rows.map((row) => JSON.stringify(fromRow(row))),
    // Every stream starts at seq 1 in the table, so a chain missing its first rows is found too.
    { stream, from: emptyChainHead, file: `${auditTable}[stream=${stream}]` },
  );
}
