// Stripe-style error bodies for the customer directory.
import { json } from '../http/io.js';
import type { SandboxResponse } from '../http/types.js';

type ErrorType = 'invalid_request_error' | 'authentication_error' | 'api_error';

export function directoryError(status: number, type: ErrorType, code: string, message: string, param?: string): SandboxResponse {
  return json(status, { error: { type, code, message, ...(param ? { param } : {}) } });
}

export const unauthorized = () =>
  directoryError(401, 'authentication_error', 'api_key_invalid', 'Invalid API key provided. Send Authorization: Bearer <key>.');

export const invalidParameter = (param: string, message: string) =>
  directoryError(400, 'invalid_request_error', 'parameter_invalid', message, param);

export const missingCustomer = (id: string, param = 'id') =>
  directoryError(404, 'invalid_request_error', 'resource_missing', `No such customer: '${id}'`, param);
