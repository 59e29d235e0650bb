// The embedded audit sink: one append-only JSON-lines file per stream and UTC day, written in batches with one fsync
// per batch, continuing the chain from the last record on disk when it is opened again.
import { type FileHandle, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditBatcher, type BatchLimits } from './batcher.js';
import { AuditChain, type ChainHead, emptyChainHead, recordHash } from './chain.js';
import { type AuditEvent, type AuditRecord, auditRecordSchema } from './record.js';
import type { AuditSink } from './sink.js';

export interface FileAuditSinkOptions extends BatchLimits {
  /** The folder holding the day files; it must exist. */
  directory: string;
  /** The writer's name, part of every file name: one stream per writing process, since two would fork the chain. */
  stream: string;
  /** The clock that picks the day file (the record's own `at` is the event's time). Default the system clock. */
  now?: () => Date;
}

export function getValidStream(stream: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(stream)) {
    throw new TypeError(`audit stream must be 1-100 of [A-Za-z0-9_.-] (it names files), got ${JSON.stringify(stream)}`);
  }
  return stream;
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

/** Each batch is one write and one fsync of the day file. */
export class FileAuditSink implements AuditSink {
  private file: { path: string; handle: FileHandle } | undefined;
  private readonly batcher: AuditBatcher;

  private constructor(
    private readonly directory: string,
    private readonly stream: string,
    private readonly now: () => Date,
    chain: AuditChain,
    limits: BatchLimits,
  ) {
    this.batcher = new AuditBatcher(chain, (records) => this.write(records), limits);
  }

  static async open(options: FileAuditSinkOptions): Promise<FileAuditSink> {
    const stream = getValidStream(options.stream);
    const chain = new AuditChain(stream, await headOnDisk(options.directory, stream));
    return new FileAuditSink(options.directory, stream, options.now ?? (() => new Date()), chain, options);
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

  /** Chains the event now and resolves once it is on disk and fsync'd; see AuditBatcher for refusals. */
  append(event: AuditEvent): Promise<AuditRecord> {
    return this.batcher.append(event);
  }

  /** Resolves once every record appended so far is on disk. */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  async close(): Promise<void> {
    await this.batcher.close();
    await this.file?.handle.close();
    this.file = undefined;
  }

  private async write(records: AuditRecord[]): Promise<void> {
    const handle = await this.handleFor(this.now());
    await handle.write(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    await handle.sync();
  }

  private async handleFor(now: Date): Promise<FileHandle> {
    const path = join(this.directory, auditFileName(this.stream, now));
    if (this.file?.path === path) return this.file.handle;
    await this.file?.handle.close();
    this.file = undefined;
    const handle = await open(path, 'a', 0o640);
    // A new file's name is durable only once its folder is synced.
    const folder = await open(this.directory, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    this.file = { path, handle };
    return handle;
  }
}
