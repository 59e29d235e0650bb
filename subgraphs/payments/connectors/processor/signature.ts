// The processor's webhook signature, checked over the raw body as received (never a re-serialisation), in constant
// time: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=…]`. Stripe signs each
// delivery afresh, so a `t` outside the tolerance is a replay and refused here.
import { isHmacSha256Hex } from '../../../../lib/auth/hmacSignature.js';
import type { SignatureVerdict } from '../../webhooks/source.js';

export const SIGNATURE_HEADER = 'stripe-signature';

export function verifyStripeSignature(
  secret: string,
  header: string | undefined,
  body: Buffer,
  toleranceSeconds: number,
  nowMs = Date.now(),
): SignatureVerdict {
  if (!header) return { ok: false, reason: 'missing' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (name === 'v1' && value) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' };
  if (!signatures.some((signature) => isHmacSha256Hex(secret, [`${timestamp}.`, body], signature)))
    return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp };
}
