// Small helpers shared by the providers for reading requests and building responses.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { SandboxResponse } from './types.js';

const jsonType = 'application/json; charset=utf-8';

export function json(status: number, body: unknown): SandboxResponse {
  return { status, body: JSON.stringify(body), contentType: jsonType };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when there is none. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/** Reads a request body up to `limitBytes`; undefined when it is larger. */
export async function readBody(request: IncomingMessage, limitBytes = 64 * 1024): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  // An oversized body is still drained (not kept): leaving the loop early would destroy the socket before the 413.
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= limitBytes) chunks.push(buffer);
  }
  return size > limitBytes ? undefined : Buffer.concat(chunks).toString('utf8');
}

/** A positive integer query value within [min, max], the fallback when absent, undefined when invalid. */
export function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number | undefined {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,6}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

/** Comma-separated ids from a query value, blanks dropped, duplicates removed keeping first position. */
export function idList(raw: string): string[] {
  return [
    ...new Set(
      raw
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    ),
  ];
}
