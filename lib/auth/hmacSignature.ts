// The check every provider webhook comes down to: is this hex string the HMAC-SHA256 of exactly these bytes (the raw
// body as received, never a re-serialisation) under our secret? Compared in constant time; anything not 64 hex digits
// is simply no match.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function isHmacSha256Hex(secret: string, signed: ReadonlyArray<string | Buffer>, signature: string | undefined): boolean {
  if (signature === undefined || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const hmac = createHmac('sha256', secret);
  for (const part of signed) hmac.update(part);
  return timingSafeEqual(hmac.digest(), Buffer.from(signature, 'hex'));
}
