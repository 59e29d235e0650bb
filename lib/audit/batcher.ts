// The write queue both sinks share: events are chained when appended (so records keep the order of the calls), then
// written in batches by one writer at a time; a failed batch stays at the head and is retried with bounded back-off,
// so a sink that is down loses nothing and reorders nothing, and only a full queue or a closed sink refuses a record.
import type { AuditChain, ChainHead } from './chain.js';
import { type AuditCheckpoint, type CheckpointSigner, signCheckpoint } from './checkpoint.js';
import type { AuditEvent, AuditRecord } from './record.js';
import type { AuditReservation } from './sink.js';

export const defaultMaxBatchRecords = 256;
export const defaultMaxQueuedRecords = 10_000;
export const defaultRetryDelayMillis = 100;
export const defaultMaxRetryDelayMillis = 5_000;
export const defaultCloseTimeoutMillis = 5_000;
export const defaultCheckpointEveryRecords = 1_000;
export const defaultCheckpointEveryMillis = 60_000;

export class AuditQueueFullError extends Error {
  constructor(limit: number) {
    super(`the audit queue holds its maximum of ${limit} records`);
    this.name = 'AuditQueueFullError';
  }
}

/**
 * What a sink's write throws when retrying cannot help: the store already holds a different record at a position this
 * writer chained (a second writer on the stream). The batcher then fails closed: a fork is for a person to look at.
 */
export class AuditForkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditForkError';
  }
}

/** What `close()` rejects the records it could not write in time with: they are not in the trail. */
export class AuditRecordsNotWrittenError extends Error {
  constructor(
    readonly count: number,
    waitedMillis: number,
    lastError: unknown,
  ) {
    const cause = lastError instanceof Error ? `; last write error: ${lastError.message}` : '';
    super(`${count} audit record(s) were not written: the sink closed after waiting ${waitedMillis} ms for them${cause}`);
    this.name = 'AuditRecordsNotWrittenError';
  }
}

/** Timers the batcher waits on, injectable so tests step through retries without sleeping on real time. */
export interface AuditScheduler {
  /**
   * Calls `callback` once after `delayMillis`; the returned function cancels it. `keepAlive` false lets the process
   * exit while it waits (a checkpoint timer: the records themselves are already written).
   */
  after(delayMillis: number, callback: () => void, keepAlive: boolean): () => void;
}

export const realScheduler: AuditScheduler = {
  after(delayMillis, callback, keepAlive) {
    const timer = setTimeout(callback, delayMillis);
    if (!keepAlive) timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface BatchLimits {
  /** Most records in one write. Default 256. */
  maxBatchRecords?: number;
  /** Most records waiting to be written; past it `append` refuses. Default 10000. */
  maxQueuedRecords?: number;
}

export interface CheckpointOptions extends CheckpointSigner {
  /** A checkpoint after the batch that brings this many records since the last one. Default 1000. */
  everyRecords?: number;
  /** A checkpoint this long after the first record it has not yet covered, even when no more come. Default 60000. */
  everyMillis?: number;
}

export interface BatchOptions extends BatchLimits {
  /** First wait before retrying a failed write; it doubles on each failure in a row. Default 100. */
  retryDelayMillis?: number;
  /** Longest wait between retries. Default 5000. */
  maxRetryDelayMillis?: number;
  /** How long `close()` waits for queued records before refusing them as not written. Default 5000. */
  closeTimeoutMillis?: number;
  /** Signed checkpoints, written beside the records; none without. */
  checkpoints?: CheckpointOptions;
  /** Timers for retries, checkpoints and close. Default real timers. */
  scheduler?: AuditScheduler;
  /** The clock a checkpoint's `at` is read from. Default the system clock. */
  now?: () => Date;
}

/** Writes the records (in order, all or none durable, or a failure the next attempt can repair) and the checkpoint. */
export type AuditWrite = (records: AuditRecord[], checkpoint: AuditCheckpoint | undefined) => Promise<void>;

function getValidCount(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new TypeError(`${name} must be an integer of at least ${min}, got ${value}`);
  return value;
}

interface Pending {
  record: AuditRecord;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

/** One write and its retries: the same records and the same signed checkpoint until it succeeds. */
interface Attempt {
  batch: Pending[];
  checkpoint: AuditCheckpoint | undefined;
}

export class AuditBatcher {
  private readonly queue: Pending[] = [];
  private readonly maxBatchRecords: number;
  private readonly maxQueuedRecords: number;
  private readonly retryDelayMillis: number;
  private readonly maxRetryDelayMillis: number;
  private readonly closeTimeoutMillis: number;
  private readonly checkpoints: Required<CheckpointOptions> | undefined;
  private readonly scheduler: AuditScheduler;
  private readonly now: () => Date;
  private draining: Promise<void> | undefined;
  private attempt: Attempt | undefined;
  private failedWrites = 0;
  private failuresInRow = 0;
  private lastError: unknown;
  /** Set once retrying cannot help (a fork): everything queued was refused with it, and every append is. */
  private fatal: unknown;
  private closed = false;
  /** Set when close() has waited long enough: the drain stops after the write in flight, if any. */
  private stopping = false;
  private wake: (() => void) | undefined;
  /** The newest record known written, and the newest a checkpoint covers. */
  private written: ChainHead;
  private checkpointed: number;
  private checkpointRequested = false;
  private cancelCheckpointTimer: (() => void) | undefined;

  constructor(
    private readonly chain: AuditChain,
    private readonly write: AuditWrite,
    options: BatchOptions = {},
  ) {
    this.maxBatchRecords = getValidCount('maxBatchRecords', options.maxBatchRecords, defaultMaxBatchRecords);
    this.maxQueuedRecords = getValidCount('maxQueuedRecords', options.maxQueuedRecords, defaultMaxQueuedRecords);
    this.retryDelayMillis = getValidCount('retryDelayMillis', options.retryDelayMillis, defaultRetryDelayMillis, 0);
    this.maxRetryDelayMillis = getValidCount('maxRetryDelayMillis', options.maxRetryDelayMillis, defaultMaxRetryDelayMillis, 0);
    this.closeTimeoutMillis = getValidCount('closeTimeoutMillis', options.closeTimeoutMillis, defaultCloseTimeoutMillis, 0);
    if (options.checkpoints) {
      const { signingKey, keyId } = options.checkpoints;
      this.checkpoints = {
        signingKey,
        keyId,
        everyRecords: getValidCount('checkpoints.everyRecords', options.checkpoints.everyRecords, defaultCheckpointEveryRecords),
        everyMillis: getValidCount('checkpoints.everyMillis', options.checkpoints.everyMillis, defaultCheckpointEveryMillis),
      };
    }
    this.scheduler = options.scheduler ?? realScheduler;
    this.now = options.now ?? (() => new Date());
    this.written = chain.position;
    // What an earlier writer left is covered by its own checkpoints (the last one at its close); ours start here.
    this.checkpointed = chain.position.seq;
  }

  get queued(): number {
    return this.queue.length;
  }

  get capacity(): number {
    return this.maxQueuedRecords;
  }

  get writeErrors(): number {
    return this.failedWrites;
  }

  /** False while the last write failed (it is being retried) and for good after a fork. */
  get writable(): boolean {
    return this.failuresInRow === 0 && this.fatal === undefined;
  }

  /** Places held by reservations whose records have not come yet. */
  private reservedPlaces = 0;
  private droppedRecords = 0;

  get dropped(): number {
    return this.droppedRecords;
  }

  hasRoom(): boolean {
    return !this.closed && this.fatal === undefined && this.queue.length + this.reservedPlaces < this.maxQueuedRecords;
  }

  /**
   * Holds one place in the queue until its record comes (or it is released), so that work checked against `hasRoom`
   * cannot find the queue full once done: N requests passing one free place would otherwise all run, and all but one
   * lose their record.
   */
  reserve(): AuditReservation | undefined {
    if (!this.hasRoom()) return undefined;
    this.reservedPlaces += 1;
    let held = true;
    const take = () => {
      if (!held) return false;
      held = false;
      this.reservedPlaces -= 1;
      return true;
    };
    return {
      append: (event) => (take() ? this.enqueue(event) : Promise.reject(new Error('this audit reservation was already used'))),
      release: () => {
        take();
      },
    };
  }

  /** Refuses when the queue is full, the sink is closed or forked; otherwise resolves once written, however long. */
  append(event: AuditEvent): Promise<AuditRecord> {
    if (this.queue.length + this.reservedPlaces >= this.maxQueuedRecords) {
      this.droppedRecords += 1;
      return Promise.reject(new AuditQueueFullError(this.maxQueuedRecords));
    }
    return this.enqueue(event);
  }

  private enqueue(event: AuditEvent): Promise<AuditRecord> {
    const refuse = (error: unknown) => {
      this.droppedRecords += 1;
      return Promise.reject(error);
    };
    if (this.closed) return refuse(new Error('the audit sink is closed'));
    if (this.fatal !== undefined) return refuse(this.fatal);
    let record: AuditRecord;
    try {
      record = this.chain.link(event);
    } catch (error) {
      return refuse(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.kick();
    });
  }

  /** Resolves once every record appended so far is written (or refused); while the sink is down, that is when it is back. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /**
   * Refuses new records, waits up to `closeTimeoutMillis` for the queued ones (and the last checkpoint), then rejects
   * what is left with AuditRecordsNotWrittenError. A write already in flight is awaited: the sink's own timeouts bound it.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelCheckpointTimer?.();
    this.cancelCheckpointTimer = undefined;
    const cancelDeadline = this.scheduler.after(
      this.closeTimeoutMillis,
      () => {
        this.stopping = true;
        this.wake?.();
      },
      true,
    );
    try {
      // Even with nothing queued there may be written records no checkpoint covers yet.
      this.kick();
      await this.flush();
    } finally {
      cancelDeadline();
    }
    const left = this.queue.splice(0);
    if (left.length > 0) {
      const error = new AuditRecordsNotWrittenError(left.length, this.closeTimeoutMillis, this.lastError);
      this.droppedRecords += left.length;
      for (const pending of left) pending.reject(error);
    }
  }

  private kick(): void {
    if (this.draining || this.stopping || this.fatal !== undefined) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // A record appended (or a checkpoint asked for) after the loop's last look, before this ran, must not wait.
      if (this.hasWork()) this.kick();
    });
  }

  private hasWork(): boolean {
    const uncovered = this.checkpoints !== undefined && this.written.seq > this.checkpointed;
    return this.queue.length > 0 || (uncovered && (this.closed || this.checkpointRequested));
  }

  /** The checkpoint due after these records are written, signed now; none when not due or not configured. */
  private checkpointAfter(batch: Pending[]): AuditCheckpoint | undefined {
    if (!this.checkpoints) return undefined;
    const head = batch.at(-1)?.record ?? this.written;
    if (head.seq <= this.checkpointed) return undefined;
    const due =
      head.seq - this.checkpointed >= this.checkpoints.everyRecords ||
      this.checkpointRequested ||
      // The last batch before close: the final checkpoint covers the whole run.
      (this.closed && this.queue.length === batch.length);
    if (!due) return undefined;
    return signCheckpoint({ stream: this.chain.stream, seq: head.seq, hash: head.hash }, this.now(), this.checkpoints);
  }

  /** After a write: records no checkpoint covers get one within `everyMillis`, even if no more come. */
  private armCheckpointTimer(): void {
    if (!this.checkpoints || this.closed || this.cancelCheckpointTimer || this.written.seq <= this.checkpointed) return;
    this.cancelCheckpointTimer = this.scheduler.after(
      this.checkpoints.everyMillis,
      () => {
        this.cancelCheckpointTimer = undefined;
        this.checkpointRequested = true;
        this.kick();
      },
      false,
    );
  }

  private pause(delayMillis: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.scheduler.after(delayMillis, () => this.wake?.(), true);
      this.wake = () => {
        cancel();
        this.wake = undefined;
        resolve();
      };
    });
  }

  private failClosed(error: unknown): void {
    this.fatal = error;
    const refused = this.queue.splice(0);
    this.droppedRecords += refused.length;
    for (const pending of refused) pending.reject(error);
    this.attempt = undefined;
  }

  private async drain(): Promise<void> {
    // Let the calls of this tick join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (!this.stopping && this.fatal === undefined) {
      if (!this.attempt) {
        const batch = this.queue.slice(0, this.maxBatchRecords);
        const checkpoint = this.checkpointAfter(batch);
        if (batch.length === 0 && !checkpoint) return;
        this.attempt = { batch, checkpoint };
      }
      const { batch, checkpoint } = this.attempt;
      try {
        await this.write(
          batch.map(({ record }) => record),
          checkpoint,
        );
      } catch (error) {
        this.failedWrites += 1;
        this.failuresInRow += 1;
        this.lastError = error;
        if (error instanceof AuditForkError) {
          this.failClosed(error);
          return;
        }
        if (this.stopping) return;
        const delay = Math.min(this.maxRetryDelayMillis, this.retryDelayMillis * 2 ** Math.min(this.failuresInRow - 1, 30));
        await this.pause(delay);
        continue;
      }
      this.failuresInRow = 0;
      this.attempt = undefined;
      // The batch is the queue's head: nothing but a write removes records from the queue while a drain runs.
      this.queue.splice(0, batch.length);
      const last = batch.at(-1)?.record;
      if (last) this.written = { seq: last.seq, hash: last.hash };
      if (checkpoint) {
        this.checkpointed = checkpoint.seq;
        this.checkpointRequested = false;
        this.cancelCheckpointTimer?.();
        this.cancelCheckpointTimer = undefined;
      }
      for (const pending of batch) pending.resolve(pending.record);
      this.armCheckpointTimer();
    }
  }
}
