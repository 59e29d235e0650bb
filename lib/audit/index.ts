// The audit trail's public API: the record, its hash chain and signed checkpoints, the write queue, the sinks, the
// verifier and the auditors' queries.

export type { AuditScheduler, AuditWrite, BatchLimits, BatchOptions, CheckpointOptions } from './batcher.js';
export {
  AuditBatcher,
  AuditForkError,
  AuditQueueFullError,
  AuditRecordsNotWrittenError,
  defaultCheckpointEveryMillis,
  defaultCheckpointEveryRecords,
  defaultCloseTimeoutMillis,
  defaultMaxBatchRecords,
  defaultMaxQueuedRecords,
  defaultMaxRetryDelayMillis,
  defaultRetryDelayMillis,
  realScheduler,
} from './batcher.js';
export type { ChainHead } from './chain.js';
export { AuditChain, canonicalJson, emptyChainHead, recordHash } from './chain.js';
export type { AuditCheckpoint, CheckpointKey, CheckpointSigner } from './checkpoint.js';
export {
  auditCheckpointSchema,
  checkpointKeyId,
  checkpointPayload,
  checkpointVerifies,
  loadCheckpointKey,
  loadCheckpointSigner,
  signCheckpoint,
} from './checkpoint.js';
export type { FileAuditSinkOptions } from './fileSink.js';
export {
  auditCheckpointFileName,
  auditCheckpointFiles,
  auditFileName,
  auditFiles,
  auditStreams,
  FileAuditSink,
  getValidStream,
} from './fileSink.js';
export type { AuditRow, PostgresAuditSinkOptions } from './postgresSink.js';
export {
  auditCheckpointTable,
  auditRecordFromRow,
  auditTable,
  installAuditSchema,
  maxBatchRecords,
  PostgresAuditSink,
  verifyTable,
} from './postgresSink.js';
export type { AuditQuery, AuditQueryKind, AuditQueryResult, TimeRange } from './query.js';
export {
  formatTable,
  matchesQuery,
  paymentActions,
  queryFiles,
  queryTable,
  queryWhere,
  refusalCodes,
  tableColumns,
} from './query.js';
export type { AuditEvent, AuditRecord } from './record.js';
export { AuditEventType, auditEventSchema, auditRecordSchema, genesisHash, userAgentMaxLength } from './record.js';
export type { AuditSink } from './sink.js';
export type { AuditProblem, AuditProblemKind, AuditSource, AuditVerification, CheckpointVerifyOptions, VerifyOptions } from './verify.js';
export { verifyFile, verifyFiles, verifyLines, verifyWithCheckpoints } from './verify.js';
