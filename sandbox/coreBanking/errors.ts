// The US core banks' error body: { "error": { "code", "message" } }.
import { json } from '../http/io.js';
import type { SandboxResponse } from '../http/types.js';

export type CoreErrorCode = 'unauthorized' | 'not_found' | 'invalid_request' | 'internal_error' | 'unavailable';

const statusOf: Readonly<Record<CoreErrorCode, number>> = {
  unauthorized: 401,
  not_found: 404,
  invalid_request: 400,
  internal_error: 500,
  unavailable: 503,
};

export function coreError(code: CoreErrorCode, message: string): SandboxResponse {
  return json(statusOf[code], { error: { code, message } });
}
