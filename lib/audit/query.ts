// The auditors' questions of issue 15, asked of either sink: who read a customer's personal data in a time range, every
// payment a principal initiated, every refused authorisation of a tenant. One predicate per question, and the same
// question in SQL with bound parameters. Queries read what is there and do not verify it: run audit:verify for that.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type pg from 'pg';
import { auditFiles, auditStreams } from './fileSink.js';
import { type AuditRow, auditRecordFromRow, auditTable } from './postgresSink.js';
import { type AuditRecord, auditRecordSchema } from './record.js';

/** The actions of upstream.call records that create or cancel a payment (written by the payments subgraph). */
export const paymentActions = ['payment.create', 'payment.cancel'] as const;

/**
 * Failure codes that mean an authorisation was refused: no valid token, not allowed, or no consent from the customer.
 * A rate limit or a complexity limit is not an authorisation decision and is left out; a success that withheld scoped
 * fields (fieldsRefused not empty) is a refusal too, for those fields.
 */
export const refusalCodes = ['UNAUTHENTICATED', 'FORBIDDEN', 'CONSENT_REQUIRED'] as const;

/** A time range: `from` included, `to` excluded, either open when absent. */
export interface TimeRange {
  from?: Date;
  to?: Date;
}

export type AuditQuery =
  | ({ kind: 'customer-reads'; customer: string } & TimeRange)
  | ({ kind: 'payments'; sub: string } & TimeRange)
  | ({ kind: 'refusals'; tenant: string } & TimeRange);

export type AuditQueryKind = AuditQuery['kind'];

export interface AuditQueryResult {
  /** Matching records, by time (then stream and seq). */
  records: AuditRecord[];
  /** Lines or rows that are not audit records and were passed over: run audit:verify to see why. */
  skipped: number;
}

function inRange(record: AuditRecord, range: TimeRange): boolean {
  const at = Date.parse(record.at);
  return (range.from === undefined || at >= range.from.getTime()) && (range.to === undefined || at < range.to.getTime());
}

/** Whether the record answers the query: the one definition the file side uses and the SQL below mirrors. */
export function matchesQuery(query: AuditQuery, record: AuditRecord): boolean {
  if (!inRange(record, query)) return false;
  switch (query.kind) {
    case 'customer-reads':
      // A gateway record says personal data only when its answer carried data, a partial answer (data beside a refused
      // field) included; an upstream call that failed read nothing.
      return (
        record.personalData &&
        (record.type === 'api.call' || record.outcome === 'success') &&
        (record.resource === `customer:${query.customer}` || record.otherResources.includes(`customer:${query.customer}`))
      );
    case 'payments':
      return record.sub === query.sub && (paymentActions as readonly (string | null)[]).includes(record.action);
    case 'refusals':
      return (
        record.tenant === query.tenant &&
        ((record.outcome === 'failure' && (refusalCodes as readonly (string | null)[]).includes(record.failureCode)) ||
          record.fieldsRefused.length > 0)
      );
  }
}

function byTime(left: AuditRecord, right: AuditRecord): number {
  return left.at.localeCompare(right.at) || left.stream.localeCompare(right.stream) || left.seq - right.seq;
}

/** A day file's day from its name: files more than a day outside the range are not read (a record's `at` and the
 * writer's clock that named its file differ by moments, not days). */
function dayMayMatch(path: string, range: TimeRange): boolean {
  const day = /-(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(path)?.[1];
  if (day === undefined) return true;
  const start = Date.parse(`${day}T00:00:00.000Z`);
  const oneDay = 86_400_000;
  return (
    (range.to === undefined || start - oneDay < range.to.getTime()) &&
    (range.from === undefined || start + 2 * oneDay > range.from.getTime())
  );
}

/** Reads the day files of every stream in the folder, line by line, and keeps the records that answer the query. */
export async function queryFiles(directory: string, query: AuditQuery): Promise<AuditQueryResult> {
  const records: AuditRecord[] = [];
  let skipped = 0;
  for (const stream of await auditStreams(directory)) {
    for (const path of await auditFiles(directory, stream)) {
      if (!dayMayMatch(path, query)) continue;
      const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of lines) {
        if (line === '') continue;
        let parsed: ReturnType<typeof auditRecordSchema.safeParse>;
        try {
          parsed = auditRecordSchema.safeParse(JSON.parse(line));
        } catch {
          skipped += 1;
          continue;
        }
        if (!parsed.success) {
          skipped += 1;
          continue;
        }
        if (matchesQuery(query, parsed.data)) records.push(parsed.data);
      }
    }
  }
  return { records: records.sort(byTime), skipped };
}

/** The query's WHERE clause and its parameters: every value the auditor gave is a bound parameter, never SQL text. */
export function queryWhere(query: AuditQuery): { where: string; parameters: unknown[] } {
  const parameters: unknown[] = [query.from?.toISOString() ?? null, query.to?.toISOString() ?? null];
  const range = '($1::timestamptz IS NULL OR at >= $1::timestamptz) AND ($2::timestamptz IS NULL OR at < $2::timestamptz)';
  switch (query.kind) {
    case 'customer-reads':
      parameters.push(`customer:${query.customer}`, JSON.stringify([`customer:${query.customer}`]));
      return {
        where: `${range} AND personal_data AND (type = 'api.call' OR outcome = 'success') AND (resource = $3 OR other_resources @> $4::jsonb)`,
        parameters,
      };
    case 'payments':
      parameters.push(query.sub, [...paymentActions]);
      return { where: `${range} AND sub = $3 AND action = ANY($4::text[])`, parameters };
    case 'refusals':
      parameters.push(query.tenant, [...refusalCodes]);
      return {
        where: `${range} AND tenant = $3 AND ((outcome = 'failure' AND failure_code = ANY($4::text[])) OR jsonb_array_length(fields_refused) > 0)`,
        parameters,
      };
  }
}

/** Asks audit_records (every stream); the indexes on (resource, at) and (sub, at) serve the first two questions. */
export async function queryTable(client: pg.ClientBase | pg.Pool, query: AuditQuery): Promise<AuditQueryResult> {
  const { where, parameters } = queryWhere(query);
  const { rows } = await client.query<AuditRow>(`SELECT * FROM ${auditTable} WHERE ${where} ORDER BY at, stream, seq`, parameters);
  const records: AuditRecord[] = [];
  let skipped = 0;
  for (const row of rows) {
    const parsed = auditRecordSchema.safeParse(auditRecordFromRow(row));
    if (parsed.success) records.push(parsed.data);
    else skipped += 1;
  }
  // Sorted as the file side is: the ISO text of `at`, then stream and seq (PostgreSQL's text order may differ).
  return { records: records.sort(byTime), skipped };
}

/** The columns `--format table` shows for each question: what an auditor reads first. */
export const tableColumns: Record<AuditQueryKind, readonly (keyof AuditRecord)[]> = {
  'customer-reads': ['at', 'sub', 'tenant', 'type', 'action', 'operationName', 'fieldsServed', 'requestId', 'traceId'],
  payments: ['at', 'sub', 'tenant', 'action', 'outcome', 'failureCode', 'resource', 'requestId', 'traceId'],
  refusals: ['at', 'sub', 'tenant', 'type', 'operationName', 'failureCode', 'fieldsRefused', 'requestId', 'traceId'],
};

/** Records as an aligned text table with a header; lists joined by commas, null as `-`. */
export function formatTable(records: readonly AuditRecord[], columns: readonly (keyof AuditRecord)[]): string {
  const cell = (value: AuditRecord[keyof AuditRecord]): string => {
    if (value === null) return '-';
    if (Array.isArray(value)) return value.length === 0 ? '-' : value.join(',');
    return String(value);
  };
  const rows = [columns.map(String), ...records.map((record) => columns.map((column) => cell(record[column])))];
  const widths = columns.map((_, index) => Math.max(...rows.map((row) => row[index]?.length ?? 0)));
  const lines = rows.map((row) =>
    row
      .map((text, index) => text.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}
