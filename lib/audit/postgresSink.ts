// The production audit sink: insert-only PostgreSQL tables for the records and their signed checkpoints. The writing
// role is granted INSERT and SELECT only, and a trigger refuses UPDATE, DELETE and TRUNCATE even to an owner or
// superuser, so a change needs a visible DDL step first and the hash chain and checkpoints still show what it touched.
import type pg from 'pg';
import { AuditBatcher, AuditForkError, type BatchOptions, defaultMaxBatchRecords } from './batcher.js';
import { AuditChain, type ChainHead, emptyChainHead, recordHash } from './chain.js';
import type { AuditCheckpoint, CheckpointKey } from './checkpoint.js';
import { getValidStream } from './fileSink.js';
import { type AuditEvent, type AuditRecord, auditRecordSchema } from './record.js';
import type { AuditReservation, AuditSink } from './sink.js';
import { type AuditVerification, verifyLines, verifyWithCheckpoints } from './verify.js';

export const auditTable = 'audit_records';

/** How long /readyz waits for the database's answer to its probe. */
const readyProbeMillis = 1000;
export const auditCheckpointTable = 'audit_checkpoints';

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
  other_resources jsonb NOT NULL,
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
CREATE INDEX IF NOT EXISTS ${auditTable}_other_resources ON ${auditTable} USING gin (other_resources jsonb_path_ops);
CREATE OR REPLACE FUNCTION ${auditTable}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '${auditTable} is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE OR REPLACE TRIGGER ${auditTable}_no_change BEFORE UPDATE OR DELETE ON ${auditTable}
  FOR EACH ROW EXECUTE FUNCTION ${auditTable}_append_only();
CREATE OR REPLACE TRIGGER ${auditTable}_no_truncate BEFORE TRUNCATE ON ${auditTable}
  FOR EACH STATEMENT EXECUTE FUNCTION ${auditTable}_append_only();
CREATE TABLE IF NOT EXISTS ${auditCheckpointTable} (
  stream text NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  hash text NOT NULL,
  at timestamptz NOT NULL,
  key_id text NOT NULL,
  signature text NOT NULL,
  PRIMARY KEY (stream, seq)
);
CREATE OR REPLACE FUNCTION ${auditCheckpointTable}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '${auditCheckpointTable} is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE OR REPLACE TRIGGER ${auditCheckpointTable}_no_change BEFORE UPDATE OR DELETE ON ${auditCheckpointTable}
  FOR EACH ROW EXECUTE FUNCTION ${auditCheckpointTable}_append_only();
CREATE OR REPLACE TRIGGER ${auditCheckpointTable}_no_truncate BEFORE TRUNCATE ON ${auditCheckpointTable}
  FOR EACH STATEMENT EXECUTE FUNCTION ${auditCheckpointTable}_append_only();
-- ALWAYS: an ordinary trigger is skipped under session_replication_role = replica, which a superuser may set for a
-- session without any DDL; these fire in every session, so switching them off takes an ALTER TABLE (DDL, logged).
ALTER TABLE ${auditTable} ENABLE ALWAYS TRIGGER ${auditTable}_no_change;
ALTER TABLE ${auditTable} ENABLE ALWAYS TRIGGER ${auditTable}_no_truncate;
ALTER TABLE ${auditCheckpointTable} ENABLE ALWAYS TRIGGER ${auditCheckpointTable}_no_change;
ALTER TABLE ${auditCheckpointTable} ENABLE ALWAYS TRIGGER ${auditCheckpointTable}_no_truncate;
`;

/**
 * Creates the tables and their triggers (idempotent), as the schema's owner, never as the writer. With `writerRole`,
 * that role gets INSERT and SELECT on both and nothing else (SELECT because a restarted writer reads its chain's head,
 * and a retried write reads what an earlier attempt may have committed).
 */
export async function installAuditSchema(client: pg.ClientBase, options: { writerRole?: string } = {}): Promise<void> {
  await client.query(schemaSql);
  if (options.writerRole !== undefined) {
    const role = client.escapeIdentifier(options.writerRole);
    for (const table of [auditTable, auditCheckpointTable]) {
      await client.query(`REVOKE ALL ON ${table} FROM ${role}`);
      await client.query(`GRANT SELECT, INSERT ON ${table} TO ${role}`);
    }
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
  'other_resources',
  'operation_name',
  'document_hash',
  'fields_served',
  'fields_refused',
  'request_id',
  'trace_id',
  'prev_hash',
  'hash',
] as const;

export type AuditRow = Record<(typeof columns)[number], unknown>;
type Row = AuditRow;

const checkpointColumns = ['stream', 'seq', 'hash', 'at', 'key_id', 'signature'] as const;
type CheckpointRow = Record<(typeof checkpointColumns)[number], unknown>;

function checkpointFromRow(row: CheckpointRow): unknown {
  return {
    stream: row.stream,
    seq: Number(row.seq),
    hash: row.hash,
    at: row.at instanceof Date ? row.at.toISOString() : row.at,
    keyId: row.key_id,
    signature: row.signature,
  };
}

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
    JSON.stringify(record.otherResources),
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
export function auditRecordFromRow(row: AuditRow): unknown {
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
    otherResources: row.other_resources,
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
  let head: ChainHead = emptyChainHead;
  if (rows[0] !== undefined) {
    const parsed = auditRecordSchema.safeParse(auditRecordFromRow(rows[0]));
    if (!parsed.success || recordHash(parsed.data) !== parsed.data.hash) {
      throw new Error(`the newest ${auditTable} row of stream ${stream} does not verify; verify the table before writing to it`);
    }
    head = { seq: parsed.data.seq, hash: parsed.data.hash };
  }
  const checkpointed = await pool.query<{ seq: string }>(
    `SELECT seq FROM ${auditCheckpointTable} WHERE stream = $1 ORDER BY seq DESC LIMIT 1`,
    [stream],
  );
  const vouched = checkpointed.rows[0] === undefined ? undefined : Number(checkpointed.rows[0].seq);
  // Rows a signed checkpoint vouches for are gone: chaining on from the older head would hide the gap for good.
  if (vouched !== undefined && vouched > head.seq) {
    throw new Error(
      `stream ${stream}: a signed checkpoint vouches for row ${vouched} but ${auditTable} ends at ${head.seq}; verify the table before writing to it`,
    );
  }
  return head;
}

export interface PostgresAuditSinkOptions extends BatchOptions {
  /**
   * Connected as the writing role (INSERT and SELECT on the tables only). The pool is the caller's: give it an 'error'
   * listener, since a server that goes away makes idle clients emit one, which would otherwise end the process.
   */
  pool: pg.Pool;
  /** The writer's name: one stream per writing process; a second writer on it fails on the primary key, not forks. */
  stream: string;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === '23505';
}

/** Most records one batch can hold: one statement binds at most 65535 parameters, a record's columns each and a
 * checkpoint's. */
export const maxBatchRecords = Math.floor((65_535 - checkpointColumns.length) / columns.length);

/**
 * Each batch (with its checkpoint, when one is due) is one INSERT statement: all of it is committed or none, so a
 * retry after a failure is safe. A retry after a commit whose answer was lost meets the primary key: the rows there
 * are compared with the batch, and identical ones count as written, while a different row is a fork (fail closed).
 */
export class PostgresAuditSink implements AuditSink {
  private readonly batcher: AuditBatcher;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly stream: string,
    chain: AuditChain,
    options: BatchOptions,
  ) {
    this.batcher = new AuditBatcher(chain, (records, checkpoint) => this.write(records, checkpoint), options);
  }

  static async open(options: PostgresAuditSinkOptions): Promise<PostgresAuditSink> {
    const stream = getValidStream(options.stream);
    if ((options.maxBatchRecords ?? defaultMaxBatchRecords) > maxBatchRecords) {
      throw new TypeError(`maxBatchRecords must be at most ${maxBatchRecords} for PostgreSQL, got ${options.maxBatchRecords}`);
    }
    const chain = new AuditChain(stream, await headInTable(options.pool, stream));
    return new PostgresAuditSink(options.pool, stream, chain, options);
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

  reserve(): AuditReservation | undefined {
    return this.batcher.reserve();
  }

  get dropped(): number {
    return this.batcher.dropped;
  }

  get capacity(): number {
    return this.batcher.capacity;
  }

  /** The last write succeeded, there is room, and the database answers a `SELECT 1` within a second: an idle writer
   * whose database went away is not ready although no write has failed yet. */
  async ready(): Promise<boolean> {
    if (!this.batcher.writable || !this.batcher.hasRoom()) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), readyProbeMillis);
    });
    try {
      return await Promise.race([
        this.pool.query('SELECT 1').then(
          () => true,
          () => false,
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Chains the event now and resolves once its row is committed; see AuditBatcher for refusals. */
  append(event: AuditEvent): Promise<AuditRecord> {
    return this.batcher.append(event);
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  /** Waits for the queue (see AuditBatcher.close); the pool belongs to the caller. */
  close(): Promise<void> {
    return this.batcher.close();
  }

  private async write(records: AuditRecord[], checkpoint: AuditCheckpoint | undefined): Promise<void> {
    try {
      await this.insert(records, checkpoint);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const rest = await this.notYetWritten(records, checkpoint);
      // A plain error if this meets the key again (another writer raced in): the next retry compares once more.
      if (rest.records.length > 0 || rest.checkpoint) await this.insert(rest.records, rest.checkpoint);
    }
  }

  /** One statement: a data-modifying CTE puts the records and the checkpoint in the same atomic INSERT. */
  private async insert(records: AuditRecord[], checkpoint: AuditCheckpoint | undefined): Promise<void> {
    const parameters: unknown[] = records.flatMap(toRow);
    const placeholders = (count: number, offset: number) =>
      `(${Array.from({ length: count }, (_, column) => `$${offset + column + 1}`).join(', ')})`;
    const recordsSql =
      records.length === 0
        ? undefined
        : `INSERT INTO ${auditTable} (${columns.join(', ')}) VALUES ${records
            .map((_, row) => placeholders(columns.length, row * columns.length))
            .join(', ')}`;
    let checkpointSql: string | undefined;
    if (checkpoint) {
      checkpointSql = `INSERT INTO ${auditCheckpointTable} (${checkpointColumns.join(', ')}) VALUES ${placeholders(
        checkpointColumns.length,
        parameters.length,
      )}`;
      parameters.push(checkpoint.stream, checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.keyId, checkpoint.signature);
    }
    const sql = recordsSql && checkpointSql ? `WITH written AS (${recordsSql}) ${checkpointSql}` : (recordsSql ?? checkpointSql);
    if (sql !== undefined) await this.pool.query(sql, parameters);
  }

  /** What of this write is not in the tables yet; a different row where this writer's belongs is a fork. */
  private async notYetWritten(
    records: AuditRecord[],
    checkpoint: AuditCheckpoint | undefined,
  ): Promise<{ records: AuditRecord[]; checkpoint: AuditCheckpoint | undefined }> {
    const fork = (what: string) =>
      new AuditForkError(
        `${what} of stream ${this.stream} is already in the table with a different hash: another writer forked the chain; verify it (npm run audit:verify) before writing to it`,
      );
    let rest = records;
    const first = records[0];
    const last = records.at(-1);
    if (first && last) {
      const { rows } = await this.pool.query<{ seq: string; hash: string }>(
        `SELECT seq, hash FROM ${auditTable} WHERE stream = $1 AND seq BETWEEN $2 AND $3`,
        [this.stream, first.seq, last.seq],
      );
      const there = new Map(rows.map((row) => [Number(row.seq), row.hash]));
      for (const record of records) {
        const hash = there.get(record.seq);
        if (hash !== undefined && hash !== record.hash) throw fork(`${auditTable} record ${record.seq}`);
      }
      rest = records.filter((record) => !there.has(record.seq));
    }
    if (!checkpoint) return { records: rest, checkpoint };
    const { rows } = await this.pool.query<{ hash: string }>(`SELECT hash FROM ${auditCheckpointTable} WHERE stream = $1 AND seq = $2`, [
      this.stream,
      checkpoint.seq,
    ]);
    const hash = rows[0]?.hash;
    if (hash !== undefined && hash !== checkpoint.hash) throw fork(`${auditCheckpointTable} checkpoint ${checkpoint.seq}`);
    // One already there for the same record vouches for the same chain: this one adds nothing.
    return { records: rest, checkpoint: hash === undefined ? checkpoint : undefined };
  }
}

/**
 * Walks one stream's rows in sequence order; a problem's `line` is the row's position in that order. With
 * `checkpointKeys`, the stream's checkpoints are checked too (see verifyWithCheckpoints).
 */
export async function verifyTable(
  client: pg.ClientBase | pg.Pool,
  stream: string,
  options: { checkpointKeys?: readonly CheckpointKey[] } = {},
): Promise<AuditVerification> {
  const { rows } = await client.query<Row>(`SELECT * FROM ${auditTable} WHERE stream = $1 ORDER BY seq`, [stream]);
  const records = {
    file: `${auditTable}[stream=${stream}]`,
    lines: rows.map((row) => JSON.stringify(auditRecordFromRow(row))),
  };
  // Every stream starts at seq 1 in the table, so a chain missing its first rows is found too.
  if (!options.checkpointKeys) return verifyLines(records.lines, { stream, from: emptyChainHead, file: records.file });
  const checkpoints = await client.query<CheckpointRow>(`SELECT * FROM ${auditCheckpointTable} WHERE stream = $1 ORDER BY seq`, [stream]);
  return verifyWithCheckpoints(
    [records],
    [{ file: `${auditCheckpointTable}[stream=${stream}]`, lines: checkpoints.rows.map((row) => JSON.stringify(checkpointFromRow(row))) }],
    { stream, keys: options.checkpointKeys },
  );
}
