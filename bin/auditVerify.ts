// `npm run audit:verify -- --dir FOLDER --stream NAME`, `-- FILE...` or `-- --postgres --stream NAME` walks an audit
// chain and prints the first malformed, edited, missing or reordered record (exit 1), or how many verified (exit 0);
// with `--public-key FILE`, the signed checkpoints too, and says so when they were not checked.
// PostgreSQL is reached through libpq's own variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), so no
// password is ever on a command line; a mistake on the command line is one line and the usage, exit 2.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  type AuditVerification,
  auditCheckpointFiles,
  auditFiles,
  type CheckpointKey,
  loadCheckpointKey,
  verifyFiles,
  verifyTable,
} from '../lib/audit/index.js';

const usage = `usage: npm run audit:verify -- --dir FOLDER --stream NAME   (the stream's day files, oldest first)
       npm run audit:verify -- FILE...                     (these day files of one stream, in this order)
       npm run audit:verify -- --postgres --stream NAME    (the audit_records table, via PGHOST, PGUSER, ...)
       add --public-key FILE (PEM, Ed25519; repeatable) to check the signed checkpoints: each signature, the record
       each one names, and that the chain reaches the newest (<stream>-YYYY-MM-DD.checkpoints.jsonl beside the day
       files, or the audit_checkpoints table)
`;

function usageError(message: string): never {
  process.stderr.write(`audit:verify: ${message}\n\n${usage}`);
  process.exit(2);
}

function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      stream: { type: 'string' },
      postgres: { type: 'boolean' },
      'public-key': { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
}

/** A day file's checkpoint file beside it, when there is one. */
function checkpointFileBeside(path: string): string[] {
  const beside = path.replace(/\.jsonl$/, '.checkpoints.jsonl');
  return beside !== path && existsSync(beside) ? [beside] : [];
}

/** The checkpoint keys, or undefined when none were given (checkpoints not checked). */
let checkpointKeys: CheckpointKey[] | undefined;

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
  const keyFiles = values['public-key'] ?? [];
  // Any of the given keys may have signed any checkpoint: the key id inside is signed too, so it cannot be swapped.
  if (keyFiles.length > 0)
    checkpointKeys = await Promise.all(keyFiles.map(async (file) => ({ publicKey: (await loadCheckpointKey(file)).publicKey })));
  const withKeys = checkpointKeys ? { checkpointKeys } : {};
  if (values.postgres) {
    if (!values.stream) usageError('--postgres needs --stream');
    const client = new pg.Client();
    await client.connect();
    try {
      return await verifyTable(client, values.stream, withKeys);
    } finally {
      await client.end();
    }
  }
  if (values.dir !== undefined) {
    if (!values.stream) usageError('--dir needs --stream');
    const files = await auditFiles(values.dir, values.stream);
    if (files.length === 0) usageError(`no audit files of stream ${values.stream} in ${values.dir}`);
    return verifyFiles(files, {
      stream: values.stream,
      ...withKeys,
      checkpointFiles: await auditCheckpointFiles(values.dir, values.stream),
    });
  }
  return verifyFiles(positionals, {
    ...(values.stream ? { stream: values.stream } : {}),
    ...withKeys,
    checkpointFiles: positionals.flatMap(checkpointFileBeside),
  });
}

/** The line about checkpoints under an ok chain; a run asked to check them that finds none is not ok. */
function checkpointsLine(result: Extract<AuditVerification, { ok: true }>): { line: string; ok: boolean } {
  if (!checkpointKeys || !result.checkpoints) {
    return { line: 'checkpoints: not checked (give --public-key FILE to check the signed checkpoints)', ok: true };
  }
  const { count, coveredSeq } = result.checkpoints;
  if (count === 0) {
    return { line: 'unsigned: no signed checkpoint was found, though --public-key was given: only the hash chain was checked', ok: false };
  }
  const tail = coveredSeq < result.head.seq ? `; records after seq ${coveredSeq} are covered by the hash chain only` : '';
  return { line: `checkpoints: ${count} verify with the public key, covering records up to seq ${coveredSeq}${tail}`, ok: true };
}

try {
  const result = await verify();
  if (result.ok) {
    const checkpoints = checkpointsLine(result);
    process.stdout.write(
      `ok: ${result.records} records of stream ${result.stream ?? '(none)'} verify; head seq ${result.head.seq} ${result.head.hash}\n${checkpoints.line}\n`,
    );
    if (!checkpoints.ok) process.exitCode = 1;
  } else {
    process.stdout.write(`${result.problem.kind}: ${result.problem.message}\n`);
    process.exitCode = 1;
  }
} catch (error) {
  // A file or database that cannot be read is not a verdict on the chain: say why, without a stack trace.
  process.stderr.write(`audit:verify: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 3;
}
