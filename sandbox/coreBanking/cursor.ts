// Opaque list cursors: base64url of "<list scope>:<offset>". The scope (the account or bank customer listed) stops a
// cursor from one list being replayed against another.

export function encodeCursor(scope: string, offset: number): string {
  return Buffer.from(`${scope}:${offset}`, 'utf8').toString('base64url');
}

/** The offset the cursor points at, or undefined if it is not a cursor this list issued. */
export function decodeCursor(cursor: string, scope: string, listLength: number): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const decoded = Buffer.from(cursor, 'base64url');
  // Node's decoder skips junk; only a cursor that re-encodes to itself is one we issued.
  if (decoded.toString('base64url') !== cursor) return undefined;
  const match = /^(.*):(\d{1,9})$/.exec(decoded.toString('utf8'));
  if (!match || match[1] !== scope) return undefined;
  const offset = Number(match[2]);
  return offset > 0 && offset <= listLength ? offset : undefined;
}
