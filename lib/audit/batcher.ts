// The write queue both sinks share: events are chained when appended (so records keep the order of the calls), then
// written in batches by one writer at a time; a bounded queue, and no more writes after one fails (fail closed).
import type { AuditChain } from './chain.js';
import type { AuditEvent, AuditRecord } from './record.js';

export const defaultMaxBatchRecords = 256;
export const defaultMaxQueuedRecords = 10_000;

export class AuditQueueFullError extends Error {
  constructor(limit: number) {
    super(`the audit queue holds its maximum of ${limit} records`);
    this.name = 'AuditQueueFullError';
  }
}

export interface BatchLimits {
  /** Most records in one write. Default 256. */
  maxBatchRecords?: number;
  /** Most records waiting to be written; past it `append` refuses. Default 10000. */
  maxQueuedRecords?: number;
}

function getValidCount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

interface Pending {
  record: AuditRecord;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

export class AuditBatcher {
  private readonly queue: Pending[] = [];
  private readonly maxBatchRecords: number;
  private readonly maxQueuedRecords: number;
  private draining: Promise<void> | undefined;
  // A failed write may have left part of a batch behind (a torn line, a chain whose head is unknown): nothing more
  // is chained onto it until a person has verified the trail and the writer is restarted.
  private failure: unknown;
  private closed = false;

  constructor(
    private readonly chain: AuditChain,
    private readonly write: (records: AuditRecord[]) => Promise<void>,
    limits: BatchLimits = {},
  ) {
    this.maxBatchRecords = getValidCount('maxBatchRecords', limits.maxBatchRecords, defaultMaxBatchRecords);
    this.maxQueuedRecords = getValidCount('maxQueuedRecords', limits.maxQueuedRecords, defaultMaxQueuedRecords);
  }

  get queued(): number {
    return this.queue.length;
  }

  private failedWrites = 0;

  get writeErrors(): number {
    return this.failedWrites;
  }

  get writable(): boolean {
    return this.failure === undefined;
  }

  hasRoom(): boolean {
    return !this.closed && this.failure === undefined && this.queue.length < this.maxQueuedRecords;
  }

  /** Refuses when the queue is full, the sink is closed, or an earlier write failed; resolves once written. */
  append(event: AuditEvent): Promise<AuditRecord> {
    if (this.closed) return Promise.reject(new Error('the audit sink is closed'));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.queue.length >= this.maxQueuedRecords) return Promise.reject(new AuditQueueFullError(this.maxQueuedRecords));
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

  /** Resolves once every record appended so far is written (or refused). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Refuses new records and waits for the queued ones. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async drain(): Promise<void> {
    // Let the calls of this tick join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatchRecords);
      try {
        if (this.failure !== undefined) throw this.failure;
        await this.write(batch.map(({ record }) => record));
      } catch (error) {
        this.failedWrites += 1;
        this.failure ??= error;
        for (const pending of batch) pending.reject(error);
        continue;
      }
      for (const pending of batch) pending.resolve(pending.record);
    }
  }
}
