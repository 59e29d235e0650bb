// Onfido's error object: { error: { type, message, fields } }, with the statuses Onfido answers them with.
import { json } from '../http/io.js';
import type { SandboxResponse } from '../http/types.js';

export function onfidoError(status: number, type: string, message: string, fields: Record<string, string[]> = {}): SandboxResponse {
  return json(status, { error: { type, message, fields } });
}

export const unauthorized = () => onfidoError(401, 'authorization_error', 'Authorization error: please re-check your credentials');
export const notFound = () => onfidoError(404, 'resource_not_found', 'The resource could not be found.');
export const validationError = (fields: Record<string, string[]>) =>
  onfidoError(422, 'validation_error', 'There was a validation error on this request', fields);
