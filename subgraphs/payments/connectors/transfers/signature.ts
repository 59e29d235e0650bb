// The transfer provider's webhook signature, checked over the raw body as received (never a re-serialisation), in
// constant time: `X-Request-Signature-SHA-256: <hex HMAC-SHA256(secret, body)>`. Its timestamp is in the signed body
// (events.ts), not in the header.
import { isHmacSha256Hex } from '../../../../lib/auth/hmacSignature.js';
import type { SignatureVerdict } from '../../webhooks/source.js';

export const SIGNATURE_HEADER = 'x-request-signature-sha-256';

export function verifyBodySignature(secret: string, header: string | undefined, body: Buffer): SignatureVerdict {
  if (!header) return { ok: false, reason: 'missing' };
  return isHmacSha256Hex(secret, [body], header.trim()) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
