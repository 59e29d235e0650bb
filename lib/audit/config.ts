// The audit trail's settings, read the same way by the gateway and every subgraph that writes records (AUDIT_*): which
// store, where, this writer's stream, the queue's bound, what to refuse when it is full, and the checkpoint signing key.
// Outside development the store must be named (a service never picks one silently); development writes day files.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type Env, readEnum, readInt, readOptionalString } from '../config/env.js';
import { isDevelopment, type ProductionSetting, required } from '../config/mode.js';
import { defaultMaxQueuedRecords } from './batcher.js';
import { getValidStream } from './fileSink.js';

/** What a writer refuses when its sink has no room: only regulated work (the default), or every request. */
export type AuditWhenFull = 'refuse-regulated' | 'refuse-all';

export type AuditStore =
  | {
      readonly kind: 'file';
      /** The folder of the day files; undefined: a new temporary folder per process (development without a setting). */
      readonly directory: string | undefined;
    }
  | {
      readonly kind: 'postgres';
      /** The writing role's connection string (INSERT and SELECT on audit_records only; see installAuditSchema). */
      readonly databaseUrl: string;
    }
  /** Development only (bench/observability.ts's baseline): no record is made or written. Refused anywhere else. */
  | { readonly kind: 'off' };

/** An Ed25519 private key for the sinks' signed checkpoints, and the id auditors know its public half by. */
export interface AuditSigningKey {
  readonly privateKey: KeyObject;
  /** The first 16 hex digits of the SHA-256 of the public key's SPKI DER: derived, so it cannot name another key. */
  readonly keyId: string;
}

export interface AuditConfig {
  readonly store: AuditStore;
  /** This writer's chain: the service's name unless AUDIT_STREAM says otherwise (a replica suffix on a shared store). */
  readonly stream: string;
  /** Most records waiting to be written before the sink has no room (AUDIT_QUEUE_MAX_RECORDS). */
  readonly maxQueuedRecords: number;
  readonly whenFull: AuditWhenFull;
  /** AUDIT_SIGNING_KEY_FILE, read and checked; undefined (development only): no signed checkpoints. */
  readonly signingKey: AuditSigningKey | undefined;
}

/** What a service that writes audit records needs outside development, for its one refusal naming every missing one. */
export function auditProductionSettings(env: Env): ProductionSetting[] {
  const sink = readOptionalString(env, 'AUDIT_SINK');
  return [
    required('AUDIT_SINK', 'where audit records are written: file or postgres'),
    // Without checkpoints a whole rewritten and re-hashed tail would verify: production always signs.
    required('AUDIT_SIGNING_KEY_FILE', 'the Ed25519 key the audit checkpoints are signed with'),
    ...(sink === 'file' ? [required('AUDIT_DIRECTORY', "the audit day files' folder")] : []),
    ...(sink === 'postgres' ? [required('AUDIT_DATABASE_URL', "the audit table's writing role")] : []),
  ];
}

function readSigningKey(env: Env): AuditSigningKey | undefined {
  const file = readOptionalString(env, 'AUDIT_SIGNING_KEY_FILE');
  if (file === undefined) return undefined;
  const expected = 'a readable PEM Ed25519 private key (PKCS #8)';
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError('AUDIT_SIGNING_KEY_FILE', expected, file);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new ConfigError('AUDIT_SIGNING_KEY_FILE', expected, file);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new ConfigError('AUDIT_SIGNING_KEY_FILE', expected, file);
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return { privateKey, keyId: createHash('sha256').update(spki).digest('hex').slice(0, 16) };
}

function readDatabaseUrl(env: Env): string {
  const value = readOptionalString(env, 'AUDIT_DATABASE_URL');
  const expected = 'a postgres:// or postgresql:// connection string';
  if (value === undefined) throw new ConfigError('AUDIT_DATABASE_URL', `${expected} (AUDIT_SINK=postgres)`, undefined);
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    // It may hold a password: never echoed.
    throw new ConfigError('AUDIT_DATABASE_URL', expected, '[hidden]');
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') throw new ConfigError('AUDIT_DATABASE_URL', expected, '[hidden]');
  return value;
}

/** Reads AUDIT_* for one service; `service` is its default stream. Call after requireProductionSettings. */
export function readAuditConfig(env: Env, service: string): AuditConfig {
  const kind = readEnum(env, 'AUDIT_SINK', ['file', 'postgres', 'off'] as const, 'file');
  if (!isDevelopment(env) && readOptionalString(env, 'AUDIT_SINK') === undefined) {
    // Reached only by a caller that skipped auditProductionSettings: still never a silent default in production.
    throw new ConfigError('AUDIT_SINK', 'file or postgres (required outside development)', undefined);
  }
  if (kind === 'off' && !isDevelopment(env)) throw new ConfigError('AUDIT_SINK', 'file or postgres (off is for development only)', kind);
  const directory = readOptionalString(env, 'AUDIT_DIRECTORY');
  if (kind === 'file' && directory === undefined && !isDevelopment(env)) {
    throw new ConfigError('AUDIT_DIRECTORY', "the audit day files' folder (AUDIT_SINK=file)", undefined);
  }
  const store: AuditStore =
    kind === 'file' ? { kind, directory } : kind === 'postgres' ? { kind, databaseUrl: readDatabaseUrl(env) } : { kind };
  const stream = readOptionalString(env, 'AUDIT_STREAM') ?? service;
  try {
    getValidStream(stream);
  } catch {
    throw new ConfigError('AUDIT_STREAM', '1-100 of A-Z a-z 0-9 _ . - (it names files)', stream);
  }
  return {
    store,
    stream,
    maxQueuedRecords: readInt(env, 'AUDIT_QUEUE_MAX_RECORDS', defaultMaxQueuedRecords, { min: 1, max: 1_000_000 }),
    whenFull: readEnum(env, 'AUDIT_WHEN_FULL', ['refuse-regulated', 'refuse-all'] as const, 'refuse-regulated'),
    signingKey: readSigningKey(env),
  };
}
