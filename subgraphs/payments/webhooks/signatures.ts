// Webhook signature checks, over the raw body as received (never a re-serialisation), in constant time.
//   processor: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=…]`
//   transfers: `X-Request-Signature-SHA-256: <hex HMAC-SHA256(secret, body)>`; its timestamp is in the signed body.
import { isHmacSha256Hex } from '../../../lib/auth/hmacSignature.js';

export type SignatureVerdict = { ok: true; timestamp?: number } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'stale' };

export function verifyStripeSignature(secret: string, header: string | undefined, body: Buffer, toleranceSeconds: number, nowMs = Date.now()): SignatureVerdict {
  if (!header) return { ok: false, reason: 'missing' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (name === 'v1' && value) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' };
  if (!signatures.some((signature) => isHmacSha256Hex(secret, [`${timestamp}.`, body], signature))) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp };
}

export function verifyBodySignature(secret: string, header: string | undefined, body: Buffer): SignatureVerdict {
  if (!header) return { ok: false, reason: 'missing' };
  return isHmacSha256Hex(secret, [body], header.trim()) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
