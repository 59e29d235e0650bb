// Experian-style error bodies for the bureau: `{ errors: [{ errorCode, errorType, message }] }`.
import { json } from '../http/io.js';
import type { SandboxResponse } from '../http/types.js';

export function bureauError(status: number, errorCode: string, errorType: string, message: string): SandboxResponse {
  return json(status, { errors: [{ errorCode, errorType, message }] });
}

export const unauthorized = () =>
  bureauError(401, '1001', 'Authentication Error', 'Invalid or missing access token. Send Authorization: Bearer <key>.');

export const invalidRequest = (message: string) => bureauError(400, '4000', 'Invalid Request Content', message);

export const noRecordFound = () => bureauError(404, '4040', 'No Record Found', 'No consumer file matches the identification given.');
