// The KYC provider's webhook signature (Onfido's X-SHA2-Signature): the hex HMAC-SHA256 of the raw body under the
// webhook token, checked over the exact bytes received (never a re-serialisation), in constant time.
import type { IncomingHttpHeaders } from 'node:http';
import { isHmacSha256Hex } from '../../../../lib/auth/hmacSignature.js';

export const SIGNATURE_HEADER = 'x-sha2-signature';

/** Whether `signature` is the hex HMAC-SHA256 of `body` under `token`, compared in constant time. */
export function isValidSignature(body: Buffer, signature: string | undefined, token: string): boolean {
  return isHmacSha256Hex(token, [body], signature);
}

/** Whether a delivery carries exactly one signature header, and it signs `body`. */
export function isSignedDelivery(headers: IncomingHttpHeaders, body: Buffer, token: string): boolean {
  const header = headers[SIGNATURE_HEADER];
  return isValidSignature(body, typeof header === 'string' ? header : undefined, token);
}
