// Signed checkpoints: every so often a writer signs where its chain stands (stream, seq, hash) with an Ed25519 key only
// writers hold, so a tail rewritten and re-hashed consistently (which a bare hash chain cannot see) no longer matches.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { canonicalJson } from './chain.js';

const identifier = z.string().min(1).max(200);

export const auditCheckpointSchema = z
  .object({
    stream: identifier,
    /** The last record the checkpoint vouches for (and, through the chain, every record before it). */
    seq: z.number().int().positive(),
    /** That record's hash. */
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    /** When it was signed, ISO 8601 in UTC with milliseconds. */
    at: z.iso.datetime({ precision: 3 }),
    /** Which key signed it, so auditors can hold several (rotation). */
    keyId: identifier,
    /** Ed25519 over `checkpointPayload`: 64 bytes, base64. */
    signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/),
  })
  .strict();

export type AuditCheckpoint = z.infer<typeof auditCheckpointSchema>;

/** What the writers sign with: the private key and the id auditors know its public half by. */
export interface CheckpointSigner {
  signingKey: KeyObject;
  keyId: string;
}

/** A public key auditors verify with; without `keyId` it is tried for any checkpoint. */
export interface CheckpointKey {
  publicKey: KeyObject;
  keyId?: string;
}

// A fixed prefix, so a checkpoint signature can never be replayed as a signature over anything else made with the key.
const payloadPrefix = 'fingraph-audit-checkpoint/1\n';

/** The exact bytes signed: every field but the signature, as canonical JSON. */
export function checkpointPayload(checkpoint: Omit<AuditCheckpoint, 'signature'>): Buffer {
  const { stream, seq, hash, at, keyId } = checkpoint;
  return Buffer.from(payloadPrefix + canonicalJson({ stream, seq, hash, at, keyId }), 'utf8');
}

function requireEd25519(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`the audit checkpoint ${what} must be an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
  }
}

export function signCheckpoint(head: { stream: string; seq: number; hash: string }, at: Date, signer: CheckpointSigner): AuditCheckpoint {
  requireEd25519(signer.signingKey, 'signing key');
  const unsigned = { stream: head.stream, seq: head.seq, hash: head.hash, at: at.toISOString(), keyId: signer.keyId };
  // Ed25519 hashes internally: node takes `null` as the digest for it.
  return { ...unsigned, signature: sign(null, checkpointPayload(unsigned), signer.signingKey).toString('base64') };
}

/** Whether one of the keys (one for this keyId, or one without an id) made this signature. */
export function checkpointVerifies(checkpoint: AuditCheckpoint, keys: readonly CheckpointKey[]): boolean {
  const signature = Buffer.from(checkpoint.signature, 'base64');
  const payload = checkpointPayload(checkpoint);
  return keys.some((key) => (key.keyId === undefined || key.keyId === checkpoint.keyId) && verify(null, payload, key.publicKey, signature));
}

/** The first 16 hex digits of the SHA-256 of the public key's SPKI DER: derived from the key, so it names no other. */
export function checkpointKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** Reads a PEM Ed25519 private key (PKCS #8) and derives its public half and key id. */
export async function loadCheckpointSigner(path: string): Promise<CheckpointSigner & { publicKey: KeyObject }> {
  const signingKey = createPrivateKey(await readFile(path, 'utf8'));
  requireEd25519(signingKey, `key in ${path}`);
  const publicKey = createPublicKey(signingKey);
  return { signingKey, publicKey, keyId: checkpointKeyId(publicKey) };
}

/** Reads a PEM Ed25519 public key (a private key's PEM works too: its public half is taken), with its derived id. */
export async function loadCheckpointKey(path: string): Promise<Required<CheckpointKey>> {
  const publicKey = createPublicKey(await readFile(path, 'utf8'));
  requireEd25519(publicKey, `key in ${path}`);
  return { publicKey, keyId: checkpointKeyId(publicKey) };
}
