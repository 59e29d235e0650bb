// Opaque Relay cursors: base64url of a small versioned JSON object. Decoding validates the shape, so a cursor that was
// edited, truncated or made for another list is BAD_USER_INPUT rather than a wrong page.
import { z } from 'zod';
import { badUserInput } from '../errors/index.js';

export function encodeCursor(kind: string, fields: Record<string, string | number | undefined>): string {
  return Buffer.from(JSON.stringify({ v: 1, k: kind, ...fields })).toString('base64url');
}

export function decodeCursor<T extends z.ZodRawShape>(kind: string, cursor: string, shape: T): z.infer<z.ZodObject<T>> {
  const envelope = z.object({ v: z.literal(1), k: z.literal(kind) });
  try {
    if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw new Error('not base64url');
    const json: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    envelope.parse(json);
    return z.object(shape).parse(json);
  } catch {
    throw badUserInput('The cursor is not valid for this list', { argument: 'after' });
  }
}

/** Relay's `first`: a page size from 1 to max, or BAD_USER_INPUT naming the argument. */
export function pageSize(first: number, max: number): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badUserInput(`first must be from 1 to ${max}`, { argument: 'first' });
  }
  return first;
}
