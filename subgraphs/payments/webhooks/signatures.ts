// Webhook signature checks, over the raw body as received (never a re-serialisation), in constant time.
//   transfers: `X-Request-Signature-SHA-256: <hex HMAC-SHA256(secret, body)>`; its timestamp is in the signed body.
import { isHmacSha256Hex } from '../../../lib/auth/hmacSignature.js';
import type { SignatureVerdict } from './source.js';

export function verifyBodySignature(secret: string, header: string | undefined, body: Buffer): SignatureVerdict {
  if (!header) return { ok: false, reason: 'missing' };
  return isHmacSha256Hex(secret, [body], header.trim()) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
