// The embedded audit sink: one append-only JSON-lines file per stream and UTC day, written in batches with one fsync
// per batch, continuing the chain from the last record on disk when it is opened again; signed checkpoints go to a
// file of their own per stream and day, so the record files hold records only.
import { constants } from 'node:fs';
import { access, type FileHandle, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditBatcher, AuditForkError, type BatchOptions } from './batcher.js';
import { AuditChain, type ChainHead, emptyChainHead, recordHash } from './chain.js';
import { type AuditCheckpoint, auditCheckpointSchema } from './checkpoint.js';
import { type AuditEvent, type AuditRecord, auditRecordSchema } from './record.js';
import type { AuditReservation, AuditSink } from './sink.js';

export interface FileAuditSinkOptions extends BatchOptions {
  /** The folder holding the day files; it must exist. */
  directory: string;
  /** The writer's name, part of every file name: one stream per writing process, since two would fork the chain. */
  stream: string;
  /** The clock that picks the day file and dates checkpoints (a record's own `at` is the event's time). Default the system clock. */
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

/** `<stream>-YYYY-MM-DD.checkpoints.jsonl`: the stream's signed checkpoints written that day. */
export function auditCheckpointFileName(stream: string, day: Date): string {
  return `${stream}-${day.toISOString().slice(0, 10)}.checkpoints.jsonl`;
}

async function filesMatching(directory: string, stream: string, suffix: string): Promise<string[]> {
  const pattern = new RegExp(`^${getValidStream(stream).replaceAll('.', '\\.')}-\\d{4}-\\d{2}-\\d{2}${suffix.replaceAll('.', '\\.')}$`);
  return (await readdir(directory))
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => join(directory, name));
}

/** The stream's day files in the folder, oldest first. */
export function auditFiles(directory: string, stream: string): Promise<string[]> {
  return filesMatching(directory, stream, '.jsonl');
}

/** The stream's checkpoint files in the folder, oldest first. */
export function auditCheckpointFiles(directory: string, stream: string): Promise<string[]> {
  return filesMatching(directory, stream, '.checkpoints.jsonl');
}

/** Every stream with day files in the folder (what `audit:query --dir` reads), sorted. */
export async function auditStreams(directory: string): Promise<string[]> {
  const streams = new Set<string>();
  for (const name of await readdir(directory)) {
    const match = /^([A-Za-z0-9_.-]{1,100})-\d{4}-\d{2}-\d{2}\.jsonl$/.exec(name);
    // A checkpoint file's name ends in `.checkpoints.jsonl`, which the date right before `.jsonl` rules out.
    if (match?.[1] !== undefined) streams.add(match[1]);
  }
  return [...streams].sort();
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

/**
 * The newest checkpoint's position on disk, if any. A chain whose head is behind it has lost records a signed
 * checkpoint vouches for (a day file deleted or cut): chaining on from the older head would hide the gap for good.
 */
async function newestCheckpointSeq(directory: string, stream: string): Promise<number | undefined> {
  for (const path of (await auditCheckpointFiles(directory, stream)).reverse()) {
    const last = (await readFile(path, 'utf8')).trimEnd().split('\n').at(-1);
    if (!last) continue;
    const parsed = auditCheckpointSchema.safeParse(JSON.parse(last));
    if (!parsed.success) throw new Error(`${path} ends with a line that is not a checkpoint; verify the trail before writing to it`);
    return parsed.data.seq;
  }
  return undefined;
}

/** An open day file and its size after the last write that was synced: what a failed write is cut back to. */
interface OpenFile {
  handle: FileHandle;
  size: number;
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  // A write may take fewer bytes than given (a signal, a full disk): the rest follows, or the error does.
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
    offset += bytesWritten;
  }
}

async function syncFolder(directory: string): Promise<void> {
  // A new file's name is durable only once its folder is synced.
  const folder = await open(directory, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/**
 * Each batch is one write and one fsync of the day file (and, when one is due, of the checkpoint file). A failed write
 * may leave part of a line behind: before the retry, each file it touched is cut back to its size after its last synced
 * write, so the retried records are the only copy on disk.
 */
export class FileAuditSink implements AuditSink {
  private readonly files = new Map<string, OpenFile>();
  /** Files a failed write touched: the size to cut each back to before anything else is written, and what it tried. */
  private readonly torn = new Map<string, { size: number; attempted: Buffer }>();
  /** The newest record and checkpoint on disk, so a retry after a half-done write does not write them twice. */
  private writtenSeq: number;
  private checkpointSeq = 0;
  private readonly batcher: AuditBatcher;

  private constructor(
    private readonly directory: string,
    private readonly stream: string,
    private readonly now: () => Date,
    chain: AuditChain,
    options: BatchOptions,
  ) {
    this.writtenSeq = chain.position.seq;
    this.batcher = new AuditBatcher(chain, (records, checkpoint) => this.write(records, checkpoint), { ...options, now });
  }

  static async open(options: FileAuditSinkOptions): Promise<FileAuditSink> {
    const stream = getValidStream(options.stream);
    const head = await headOnDisk(options.directory, stream);
    const checkpointed = await newestCheckpointSeq(options.directory, stream);
    if (checkpointed !== undefined && checkpointed > head.seq) {
      throw new Error(
        `stream ${stream}: a signed checkpoint vouches for record ${checkpointed} but the day files end at ${head.seq}; verify the trail before writing to it`,
      );
    }
    const chain = new AuditChain(stream, head);
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

  reserve(): AuditReservation | undefined {
    return this.batcher.reserve();
  }

  get dropped(): number {
    return this.batcher.dropped;
  }

  get capacity(): number {
    return this.batcher.capacity;
  }

  /** The last write succeeded, there is room, and the folder is still there to write into. */
  async ready(): Promise<boolean> {
    if (!this.batcher.writable || !this.batcher.hasRoom()) return false;
    return access(this.directory, constants.W_OK).then(
      () => true,
      () => false,
    );
  }

  /** Chains the event now and resolves once it is on disk and fsync'd; see AuditBatcher for refusals and retries. */
  append(event: AuditEvent): Promise<AuditRecord> {
    return this.batcher.append(event);
  }

  /** Resolves once every record appended so far is on disk. */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  async close(): Promise<void> {
    try {
      await this.batcher.close();
    } finally {
      await this.closeFiles(() => true);
    }
  }

  private async write(records: AuditRecord[], checkpoint: AuditCheckpoint | undefined): Promise<void> {
    await this.repairTorn();
    const day = this.now();
    const fresh = records.filter((record) => record.seq > this.writtenSeq);
    const last = fresh.at(-1);
    if (last) {
      await this.appendText(
        join(this.directory, auditFileName(this.stream, day)),
        fresh.map((record) => `${JSON.stringify(record)}\n`).join(''),
      );
      this.writtenSeq = last.seq;
    }
    if (checkpoint && checkpoint.seq > this.checkpointSeq) {
      await this.appendText(join(this.directory, auditCheckpointFileName(this.stream, day)), `${JSON.stringify(checkpoint)}\n`);
      this.checkpointSeq = checkpoint.seq;
    }
    // Yesterday's files are done with once today's were written.
    const today = new Set(
      [auditFileName(this.stream, day), auditCheckpointFileName(this.stream, day)].map((name) => join(this.directory, name)),
    );
    await this.closeFiles((path) => !today.has(path));
  }

  private async appendText(path: string, text: string): Promise<void> {
    const file = await this.openFile(path);
    const bytes = Buffer.from(text, 'utf8');
    this.torn.set(path, { size: file.size, attempted: bytes });
    try {
      await writeAll(file.handle, bytes);
      await file.handle.sync();
    } catch (error) {
      // The handle's state after a failed write or fsync is unknown: the retry opens the file again.
      this.files.delete(path);
      await file.handle.close().catch(() => {});
      throw error;
    }
    file.size += bytes.length;
    this.torn.delete(path);
  }

  private async openFile(path: string): Promise<OpenFile> {
    const known = this.files.get(path);
    if (known) return known;
    const handle = await open(path, 'a', 0o640);
    try {
      const { size } = await handle.stat();
      await syncFolder(this.directory);
      const file = { handle, size };
      this.files.set(path, file);
      return file;
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  }

  /**
   * Cuts each file a failed write touched (it may be another day's file by now) back to its size after its last synced
   * write, but only bytes this writer tried to write: anything else past that size, or a file shorter than it, means
   * someone else wrote or cut it, and that is for a person to look at (fail closed), never something to overwrite.
   */
  private async repairTorn(): Promise<void> {
    for (const [path, { size, attempted }] of this.torn) {
      const refuse = (why: string) => new AuditForkError(`${path} ${why}; verify the trail (npm run audit:verify) before writing to it`);
      const handle = await open(path, 'r+').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' && size === 0) return undefined;
        throw error;
      });
      if (handle) {
        try {
          const found = (await handle.stat()).size;
          if (found < size)
            throw refuse(`is shorter (${found} bytes) than the ${size} bytes this writer synced to it: audit records are gone`);
          if (found > size) {
            const extra = Buffer.alloc(found - size);
            await handle.read(extra, 0, extra.length, size);
            if (extra.length > attempted.length || !attempted.subarray(0, extra.length).equals(extra)) {
              throw refuse(`holds ${extra.length} bytes after this writer's last synced write that it did not write`);
            }
            await handle.truncate(size);
            await handle.sync();
          }
        } finally {
          await handle.close();
        }
      }
      this.torn.delete(path);
    }
  }

  private async closeFiles(which: (path: string) => boolean): Promise<void> {
    for (const [path, file] of this.files) {
      if (!which(path)) continue;
      this.files.delete(path);
      await file.handle.close();
    }
  }
}
