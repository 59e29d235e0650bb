// The embedded audit sink: one append-only JSON-lines file per stream and UTC day, written in batches with one fsync
// per batch, continuing the chain from the last record on disk when it is opened again.
import { type FileHandle, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditChain, type ChainHead, emptyChainHead, recordHash } from './chain.js';
import { type AuditEvent, type AuditRecord, auditRecordSchema } from './record.js';

export interface FileAuditSinkOptions {
  /** The folder holding the day files; it must exist. */
  directory: string;
  /** The writer's name, part of every file name: one stream per writing process, since two would fork the chain. */
  stream: string;
  /** Most records in one write and fsync. Default 256. */
  maxBatchRecords?: number;
  /** Most records waiting to be written; past it `append` refuses. Default 10000. */
  maxQueuedRecords?: number;
  /** The clock that picks the day file (the record's own `at` is the event's time). Default the system clock. */
  now?: () => Date;
}

export const defaultMaxBatchRecords = 256;
export const defaultMaxQueuedRecords = 10_000;

export class AuditQueueFullError extends Error {
  constructor(limit: number) {
    super(`the audit queue holds its maximum of ${limit} records`);
    this.name = 'AuditQueueFullError';
  }
}

function getValidStream(stream: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(stream)) {
    throw new TypeError(`audit stream must be 1-100 of [A-Za-z0-9_.-] (it names files), got ${JSON.stringify(stream)}`);
  }
  return stream;
}

function getValidCount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** `<stream>-YYYY-MM-DD.jsonl`: sorting the names sorts the days. */
export function auditFileName(stream: string, day: Date): string {
  return `${stream}-${day.toISOString().slice(0, 10)}.jsonl`;
}

/** The stream's day files in the folder, oldest first. */
export async function auditFiles(directory: string, stream: string): Promise<string[]> {
  const pattern = new RegExp(`^${getValidStream(stream).replaceAll('.', '\\.')}-\\d{4}-\\d{2}-\\d{2}\\.jsonl$`);
  return (await readdir(directory))
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => join(directory, name));
}

/**
 * Where the stream's chain stands on disk: its newest record. A last record that does not parse or match its hash
 * (a torn write, an edit) stops the sink from opening rather than chaining new records onto it.
 */
async function headOnDisk(directory: string, stream: string): Promise<ChainHead> {
  for (const path of (await auditFiles(directory, stream)).reverse()) {
    const last = (await readFile(path, 'utf8')).trimEnd().split('\n').at(-1);
    if (!last) continue;
    let record: AuditRecord;
    try {
      record = auditRecordSchema.parse(JSON.parse(last));
    } catch {
      throw new Error(`${path} ends with a line that is not an audit record; verify the file before writing to it`);
    }
    if (recordHash(record) !== record.hash) throw new Error(`${path} ends with a record that does not match its hash`);
    return { seq: record.seq, hash: record.hash };
  }
  return emptyChainHead;
}

interface Pending {
  record: AuditRecord;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

export class FileAuditSink {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private file: { path: string; handle: FileHandle } | undefined;
  // After a failed write the file may end in a torn line: nothing more is chained onto it (fail closed).
  private failure: unknown;
  private closed = false;

  private constructor(
    private readonly options: Required<FileAuditSinkOptions>,
    private readonly chain: AuditChain,
  ) {}

  static async open(options: FileAuditSinkOptions): Promise<FileAuditSink> {
    const stream = getValidStream(options.stream);
    const valid: Required<FileAuditSinkOptions> = {
      directory: options.directory,
      stream,
      maxBatchRecords: getValidCount('maxBatchRecords', options.maxBatchRecords, defaultMaxBatchRecords),
      maxQueuedRecords: getValidCount('maxQueuedRecords', options.maxQueuedRecords, defaultMaxQueuedRecords),
      now: options.now ?? (() => new Date()),
    };
    return new FileAuditSink(valid, new AuditChain(stream, await headOnDisk(options.directory, stream)));
  }

  /** Records waiting to be written. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Chains the event now (so records keep the order of the calls) and resolves once it is on disk and fsync'd.
   * Refuses when the queue is full, the sink is closed, or an earlier write failed.
   */
  append(event: AuditEvent): Promise<AuditRecord> {
    if (this.closed) return Promise.reject(new Error('the audit sink is closed'));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.queue.length >= this.options.maxQueuedRecords) return Promise.reject(new AuditQueueFullError(this.options.maxQueuedRecords));
    let record: AuditRecord;
    try {
      record = this.chain.link(event);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
    });
  }

  /** Resolves once every record appended so far is on disk. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.file?.handle.close();
    this.file = undefined;
  }

  private async drain(): Promise<void> {
    // Let the calls of this tick join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatchRecords);
      try {
        if (this.failure !== undefined) throw this.failure;
        const handle = await this.handleFor(this.options.now());
        await handle.write(batch.map(({ record }) => `${JSON.stringify(record)}\n`).join(''));
        await handle.sync();
      } catch (error) {
        this.failure ??= error;
        for (const pending of batch) pending.reject(error);
        continue;
      }
      for (const pending of batch) pending.resolve(pending.record);
    }
  }

  private async handleFor(now: Date): Promise<FileHandle> {
    const path = join(this.options.directory, auditFileName(this.options.stream, now));
    if (this.file?.path === path) return this.file.handle;
    await this.file?.handle.close();
    this.file = undefined;
    const handle = await open(path, 'a', 0o640);
    // A new file's name is durable only once its folder is synced.
    const folder = await open(this.options.directory, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    this.file = { path, handle };
    return handle;
  }
}
