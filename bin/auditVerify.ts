// `npm run audit:verify -- --dir FOLDER --stream NAME`, `-- FILE...` or `-- --postgres --stream NAME` walks an audit
// chain and prints the first malformed, edited, missing or reordered record (exit 1), or how many verified (exit 0).
// PostgreSQL is reached through libpq's own variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), so no
// password is ever on a command line; a mistake on the command line is one line and the usage, exit 2.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type AuditVerification, auditFiles, verifyFiles, verifyTable } from '../lib/audit/index.js';

const usage = `usage: npm run audit:verify -- --dir FOLDER --stream NAME   (the stream's day files, oldest first)
       npm run audit:verify -- FILE...                     (these day files of one stream, in this order)
       npm run audit:verify -- --postgres --stream NAME    (the audit_records table, via PGHOST, PGUSER, ...)
`;

function usageError(message: string): never {
  process.stderr.write(`audit:verify: ${message}\n\n${usage}`);
  process.exit(2);
}

function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { dir: { type: 'string' }, stream: { type: 'string' }, postgres: { type: 'boolean' }, help: { type: 'boolean' } },
  });
}

async function verify(): Promise<AuditVerification> {
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
  const sources = [values.dir !== undefined, values.postgres === true, positionals.length > 0].filter(Boolean).length;
  if (sources !== 1) usageError('give exactly one of --dir, --postgres or files');
  if (values.postgres) {
    if (!values.stream) usageError('--postgres needs --stream');
    const client = new pg.Client();
    await client.connect();
    try {
      return await verifyTable(client, values.stream);
    } finally {
      await client.end();
    }
  }
  if (values.dir !== undefined) {
    if (!values.stream) usageError('--dir needs --stream');
    const files = await auditFiles(values.dir, values.stream);
    if (files.length === 0) usageError(`no audit files of stream ${values.stream} in ${values.dir}`);
    return verifyFiles(files, { stream: values.stream });
  }
  return verifyFiles(positionals, values.stream ? { stream: values.stream } : {});
}

try {
  const result = await verify();
  if (result.ok) {
    process.stdout.write(
      `ok: ${result.records} records of stream ${result.stream ?? '(none)'} verify; head seq ${result.head.seq} ${result.head.hash}\n`,
    );
  } else {
    process.stdout.write(`${result.problem.kind}: ${result.problem.message}\n`);
    process.exitCode = 1;
  }
} catch (error) {
  // A file or database that cannot be read is not a verdict on the chain: say why, without a stack trace.
  process.stderr.write(`audit:verify: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 3;
}
