// The audit trail's public API: the record, its hash chain, the write queue, the sinks and the verifier.

export type { BatchLimits } from './batcher.js';
export { AuditBatcher, AuditQueueFullError, defaultMaxBatchRecords, defaultMaxQueuedRecords } from './batcher.js';
export type { ChainHead } from './chain.js';
export { AuditChain, canonicalJson, emptyChainHead, recordHash } from './chain.js';
export type { FileAuditSinkOptions } from './fileSink.js';
export { auditFileName, auditFiles, FileAuditSink, getValidStream } from './fileSink.js';
export type { PostgresAuditSinkOptions } from './postgresSink.js';
export { auditTable, installAuditSchema, PostgresAuditSink, verifyTable } from './postgresSink.js';
export type { AuditEvent, AuditRecord } from './record.js';
export { AuditEventType, auditEventSchema, auditRecordSchema, genesisHash, userAgentMaxLength } from './record.js';
export type { AuditSink } from './sink.js';
export type { AuditProblem, AuditProblemKind, AuditVerification, VerifyOptions } from './verify.js';
export { verifyFile, verifyFiles, verifyLines } from './verify.js';
