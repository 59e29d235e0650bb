// What every audit sink offers its writers (the gateway, the subgraphs), whatever it writes to: a file or PostgreSQL.
import type { AuditEvent, AuditRecord } from './record.js';

/** One place held in a sink's queue for a record that regulated work will produce: taken before the work, so the work
 * never runs when its record could not be queued. Use it once: append, or release when no record will come. */
export interface AuditReservation {
  append(event: AuditEvent): Promise<AuditRecord>;
  release(): void;
}

export interface AuditSink {
  /** Chains the event now (so records keep the order of the calls) and resolves once it is durably written; refuses
   * at once when the queue is full (AuditQueueFullError) or the sink is closed. */
  append(event: AuditEvent): Promise<AuditRecord>;
  /** Whether `append` would take one more record now (places held by reservations count as taken). */
  hasRoom(): boolean;
  /** Holds a place for a record to come, or undefined when there is none: regulated work is refused before it runs. */
  reserve(): AuditReservation | undefined;
  /** Records refused since the sink opened (queue full, closed, forked): each is an event with no record. */
  readonly dropped: number;
  /** For /readyz: the last write succeeded, there is room, and the store answers now (a bounded probe). */
  ready(): Promise<boolean>;
  /** Records waiting to be written. */
  readonly queued: number;
  /** Most records the queue holds (AUDIT_QUEUE_MAX_RECORDS). */
  readonly capacity: number;
  /** Writes that failed since the sink opened (each is retried or its records refused; see AuditBatcher). */
  readonly writeErrors: number;
  /** Whether the last write succeeded (true before any write): /readyz reports the sink. */
  readonly writable: boolean;
  /** Resolves once every record appended so far is written (or refused). */
  flush(): Promise<void>;
  /** Refuses new records, waits for the queued ones, and releases what the sink opened. */
  close(): Promise<void>;
}
