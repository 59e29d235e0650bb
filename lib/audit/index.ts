// The audit trail's public API: the record, its hash chain, the file sink and the verifier.

export type { ChainHead } from './chain.js';
export { AuditChain, canonicalJson, emptyChainHead, recordHash } from './chain.js';
export type { FileAuditSinkOptions } from './fileSink.js';
export {
  AuditQueueFullError,
  auditFileName,
  auditFiles,
  defaultMaxBatchRecords,
  defaultMaxQueuedRecords,
  FileAuditSink,
} from './fileSink.js';
export type { AuditEvent, AuditRecord } from './record.js';
export { AuditEventType, auditEventSchema, auditRecordSchema, genesisHash, userAgentMaxLength } from './record.js';
export type { AuditProblem, AuditProblemKind, AuditVerification, VerifyOptions } from './verify.js';
export { verifyFile, verifyFiles, verifyLines } from './verify.js';
