// `npm run audit:install -- --writer-role ROLE`: installs the audit_records table, its indexes and its append-only
// triggers (idempotent) as the connected role, the schema's owner, and grants the writing role INSERT and SELECT only.
// Run by an owner, never by a service: the services connect as the writer (AUDIT_DATABASE_URL). PostgreSQL is reached
// through libpq's own variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), so no password is on a command line.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { auditTable, installAuditSchema } from '../lib/audit/postgresSink.js';

const usage = `usage: npm run audit:install -- --writer-role ROLE   (as the table's owner, via PGHOST, PGUSER, ...)
       npm run audit:install -- --no-writer              (the table alone; grant a writer later)
`;

function usageError(message: string): never {
  process.stderr.write(`audit:install: ${message}\n\n${usage}`);
  process.exit(2);
}

let values: { 'writer-role'?: string; 'no-writer'?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2),
    options: { 'writer-role': { type: 'string' }, 'no-writer': { type: 'boolean' }, help: { type: 'boolean' } },
  }));
} catch (error) {
  usageError(error instanceof Error ? error.message : String(error));
}
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const writerRole = values['writer-role'];
// Deliberate either way: a forgotten role would leave the services unable to write, a wrong one would be granted.
if ((writerRole === undefined) === (values['no-writer'] !== true)) usageError('give exactly one of --writer-role ROLE or --no-writer');

const client = new pg.Client();
try {
  await client.connect();
  await installAuditSchema(client, writerRole === undefined ? {} : { writerRole });
  process.stdout.write(`installed ${auditTable}${writerRole === undefined ? '' : `; ${writerRole} may INSERT and SELECT, nothing else`}\n`);
} catch (error) {
  // Unreachable, refused or a role that does not exist: one line, no stack trace.
  process.stderr.write(`audit:install: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 3;
} finally {
  await client.end().catch(() => undefined);
}
