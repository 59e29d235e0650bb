// What every audit sink offers its writers (the gateway, the subgraphs), whatever it writes to: a file or PostgreSQL.
import type { AuditEvent, AuditRecord } from './record.js';

export interface AuditSink {
  /** Chains the event now (so records keep the order of the calls) and resolves once it is durably written; refuses
   * at once when the queue is full (AuditQueueFullError) or the sink is closed. */
  append(event: AuditEvent): Promise<AuditRecord>;
  /** Whether `append` would take one more record now: a writer refuses regulated work before doing it when not. */
  hasRoom(): boolean;
  /** Records waiting to be written. */
  readonly queued: number;
  /** Writes that failed since the sink opened (each is retried or its records refused; see AuditBatcher). */
  readonly writeErrors: number;
  /** Whether the last write succeeded (true before any write): /readyz reports the sink. */
  readonly writable: boolean;
  /** Resolves once every record appended so far is written (or refused). */
  flush(): Promise<void>;
  /** Refuses new records, waits for the queued ones, and releases what the sink opened. */
  close(): Promise<void>;
}
