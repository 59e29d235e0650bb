// Opens the sink an AuditConfig names, for a service's start, and closes what it opened (the PostgreSQL pool) after
// the sink's own close has flushed its queue. A store that cannot be opened stops the start: no service runs unaudited.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../logging/logger.js';
import type { AuditConfig } from './config.js';
import { FileAuditSink } from './fileSink.js';
import { PostgresAuditSink } from './postgresSink.js';
import { genesisHash } from './record.js';
import type { AuditSink } from './sink.js';

/** The sink's own members; closing it also releases what was opened for it (the pool), after its queue is written. */
function wrap(sink: AuditSink, release: () => Promise<void>): AuditSink {
  return {
    append: (event) => sink.append(event),
    hasRoom: () => sink.hasRoom(),
    reserve: () => sink.reserve(),
    get dropped() {
      return sink.dropped;
    },
    get capacity() {
      return sink.capacity;
    },
    ready: () => sink.ready(),
    get queued() {
      return sink.queued;
    },
    get writeErrors() {
      return sink.writeErrors;
    },
    get writable() {
      return sink.writable;
    },
    flush: () => sink.flush(),
    async close() {
      try {
        await sink.close();
      } finally {
        await release();
      }
    },
  };
}

/** AUDIT_SINK=off (development only): takes every record and keeps none, so a benchmark can measure the trail's cost. */
const discardingSink: AuditSink = {
  append: async (event) => ({ ...event, stream: 'off', seq: 1, prevHash: genesisHash, hash: genesisHash }),
  hasRoom: () => true,
  reserve: () => ({ append: (event) => discardingSink.append(event), release: () => undefined }),
  dropped: 0,
  capacity: Number.POSITIVE_INFINITY,
  ready: async () => true,
  queued: 0,
  writeErrors: 0,
  writable: true,
  flush: async () => undefined,
  close: async () => undefined,
};

export async function openAuditSink(config: AuditConfig, logger: Logger): Promise<AuditSink> {
  if (config.store.kind === 'off') {
    logger.warn('AUDIT_SINK=off: no audit record is written (development only)');
    return discardingSink;
  }
  if (config.signingKey) logger.info({ keyId: config.signingKey.keyId }, 'audit checkpoints signed');
  else logger.warn('no AUDIT_SIGNING_KEY_FILE: audit records are hash-chained but no checkpoint is signed (development only)');
  const limits = {
    maxQueuedRecords: config.maxQueuedRecords,
    ...(config.signingKey ? { checkpoints: { signingKey: config.signingKey.privateKey, keyId: config.signingKey.keyId } } : {}),
  };
  if (config.store.kind === 'file') {
    // Development without AUDIT_DIRECTORY: a folder of this process's own, so two services (or two test files) never
    // write one stream's chain from two processes.
    const directory = config.store.directory ?? mkdtempSync(join(tmpdir(), 'fingraph-audit-'));
    mkdirSync(directory, { recursive: true, mode: 0o750 });
    const sink = await FileAuditSink.open({ directory, stream: config.stream, ...limits });
    logger.info({ directory, stream: config.stream }, 'audit records written to day files');
    return wrap(sink, async () => undefined);
  }
  // Bounded on every side: a database that stops answering mid-write (a half-open connection) fails the write, which is
  // then retried, instead of hanging it, and with it the queue, readiness and the service's stop.
  const pool = new pg.Pool({
    connectionString: config.store.databaseUrl,
    max: 2,
    connectionTimeoutMillis: 2000,
    query_timeout: 5000,
    statement_timeout: 5000,
    keepAlive: true,
  });
  // An idle connection the server drops (a restart) is an error event on the pool: without a listener it would be
  // thrown as uncaught and end the process; the next write fails and the sink reports it instead.
  pool.on('error', (error) => logger.warn({ err: error.message }, 'audit database connection lost'));
  try {
    const sink = await PostgresAuditSink.open({ pool, stream: config.stream, ...limits });
    logger.info({ stream: config.stream }, 'audit records written to PostgreSQL');
    return wrap(sink, () => pool.end());
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
