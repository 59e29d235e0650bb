// OBIE v3.1 error bodies: { Code, Id, Message, Errors: [{ ErrorCode: "UK.OBIE.…", Message, Path? }] }.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { json } from '../http/io.js';
import type { SandboxResponse } from '../http/types.js';

export type ObErrorCode =
  | 'UK.OBIE.Field.Invalid'
  | 'UK.OBIE.Header.Missing'
  | 'UK.OBIE.Header.Invalid'
  | 'UK.OBIE.Resource.NotFound'
  | 'UK.OBIE.Resource.InvalidConsentStatus'
  | 'UK.OBIE.UnexpectedError';

export function obError(status: number, errorCode: ObErrorCode, message: string, path?: string): SandboxResponse {
  return json(status, {
    Code: `${status} ${STATUS_CODES[status] ?? 'Error'}`,
    // A reference for this error instance, as OBIE asks, so a support request can quote it.
    Id: randomUUID(),
    Message: message,
    Errors: [{ ErrorCode: errorCode, Message: message, ...(path ? { Path: path } : {}) }],
  });
}

export const invalidField = (path: string, message: string) => obError(400, 'UK.OBIE.Field.Invalid', message, path);

export const accountNotFound = () =>
  obError(404, 'UK.OBIE.Resource.NotFound', 'The account does not exist or is not covered by this consent.', 'AccountId');
