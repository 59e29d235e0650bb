// `npm run audit:query -- QUESTION ... (--dir FOLDER | --postgres)` answers an auditor's questions over the audit trail
// (issue 15) and prints the matching records as JSON lines (or `--format table`), exit 0 even when none match. It reads
// the trail as it is and does not verify it (`npm run audit:verify` does). PostgreSQL is reached through libpq's own
// variables, so no password is on a command line; a usage mistake is one line and the usage, exit 2.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type AuditQuery, type AuditQueryResult, formatTable, queryFiles, queryTable, tableColumns } from '../lib/audit/index.js';

const usage = `usage: npm run audit:query -- customer-reads --customer ID --from TIME --to TIME SOURCE [--format json|table]
       npm run audit:query -- payments --sub SUB [--from TIME] [--to TIME] SOURCE [--format json|table]
       npm run audit:query -- refusals --tenant TENANT [--from TIME] [--to TIME] SOURCE [--format json|table]
SOURCE is --dir FOLDER (the day files of every stream in it) or --postgres (audit_records, via PGHOST, PGUSER, ...).
TIME is ISO 8601 in UTC or with an offset (2026-12-06, 2026-12-06T04:00:00Z); --from is included, --to excluded.
customer-reads: successful records that touched this customer's personal data (resource customer:ID).
payments:       records of payment.create and payment.cancel by this principal (sub).
refusals:       the tenant's records refused as UNAUTHENTICATED, FORBIDDEN or CONSENT_REQUIRED, or that withheld fields.
The trail is read as it is, not verified: run npm run audit:verify first.
`;

function usageError(message: string): never {
  process.stderr.write(`audit:query: ${message}\n\n${usage}`);
  process.exit(2);
}

function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      customer: { type: 'string' },
      sub: { type: 'string' },
      tenant: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      dir: { type: 'string' },
      postgres: { type: 'boolean' },
      format: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
}

/** A date, or a date and time with its zone: a time without one would be read in this machine's zone, silently. */
function getValidTime(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const shape = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
  const time = Date.parse(value);
  if (!shape.test(value) || Number.isNaN(time)) usageError(`--${name} must be an ISO 8601 date or time with its zone, got ${value}`);
  return new Date(time);
}

function getValidQuery(values: ReturnType<typeof parse>['values'], positionals: string[]): AuditQuery {
  if (positionals.length !== 1) usageError('give one question: customer-reads, payments or refusals');
  const from = getValidTime('from', values.from);
  const to = getValidTime('to', values.to);
  const range = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  if (from && to && from.getTime() >= to.getTime()) usageError('--from must be before --to');
  const only = (allowed: string, question: string) => {
    for (const name of ['customer', 'sub', 'tenant'] as const) {
      if (name !== allowed && values[name] !== undefined) usageError(`${question} does not take --${name}`);
    }
  };
  switch (positionals[0]) {
    case 'customer-reads':
      only('customer', 'customer-reads');
      if (!values.customer) usageError('customer-reads needs --customer');
      if (!from || !to) usageError('customer-reads needs --from and --to');
      return { kind: 'customer-reads', customer: values.customer, ...range };
    case 'payments':
      only('sub', 'payments');
      if (!values.sub) usageError('payments needs --sub');
      return { kind: 'payments', sub: values.sub, ...range };
    case 'refusals':
      only('tenant', 'refusals');
      if (!values.tenant) usageError('refusals needs --tenant');
      return { kind: 'refusals', tenant: values.tenant, ...range };
    default:
      usageError(`unknown question ${positionals[0]}: give customer-reads, payments or refusals`);
  }
}

async function run(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const query = getValidQuery(values, positionals);
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'table') usageError(`--format must be json or table, got ${format}`);
  if ((values.dir !== undefined) === (values.postgres === true)) usageError('give one source: --dir FOLDER or --postgres');

  let result: AuditQueryResult;
  if (values.postgres) {
    const client = new pg.Client();
    await client.connect();
    try {
      result = await queryTable(client, query);
    } finally {
      await client.end();
    }
  } else {
    result = await queryFiles(values.dir ?? '', query);
  }
  process.stdout.write(
    format === 'table'
      ? formatTable(result.records, tableColumns[query.kind])
      : result.records.map((record) => `${JSON.stringify(record)}\n`).join(''),
  );
  if (result.skipped > 0) {
    process.stderr.write(`audit:query: ${result.skipped} line(s) were not audit records and were skipped: run npm run audit:verify\n`);
  }
}

try {
  await run();
} catch (error) {
  // A folder or database that cannot be read is not an answer: say why, without a stack trace.
  process.stderr.write(`audit:query: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 3;
}
