// Cached values as JSON text in which bigint (money in minor units), Date, undefined array slots and non-finite
// numbers survive the round trip, wrapped in the envelope that says how long the value stays fresh and usable. A value
// the round trip would silently change (a class instance, a Map, a function) is refused rather than stored.

/** The stored form of one entry; every time is epoch milliseconds on the writer's clock. */
export interface Envelope {
  readonly v: unknown;
  readonly storedAt: number;
  /** Served as a hit until then. */
  readonly freshUntil: number;
  /** Served stale (and refreshed) until then; unusable after. */
  readonly staleUntil: number;
}

export class SerializeError extends TypeError {
  constructor(what: string, path: string) {
    super(`cannot cache ${what} at ${path}: only JSON values, bigint and Date survive the round trip`);
    this.name = 'SerializeError';
  }
}

// A tagged value is an object whose only marker key is TAG; a plain object that has such a key itself is escaped.
const TAG = '$fg';
type Tagged = { [TAG]: 'bigint' | 'date' | 'num' | 'undef' | 'obj'; v?: unknown };
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function encode(value: unknown, path: string, ancestors: Set<object>): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : { [TAG]: 'num', v: String(value) };
    case 'bigint':
      return { [TAG]: 'bigint', v: value.toString() };
    case 'undefined':
      return { [TAG]: 'undef' };
    case 'object':
      break;
    default:
      throw new SerializeError(`a ${typeof value}`, path);
  }
  if (value === null) return null;
  if (value instanceof Date) {
    const time = value.getTime();
    return { [TAG]: 'date', v: Number.isNaN(time) ? null : time };
  }
  if (ancestors.has(value)) throw new SerializeError('a cycle', path);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return Array.from(value, (item: unknown, index) => encode(item, `${path}[${index}]`, ancestors));
    }
    if (!isPlainObject(value)) throw new SerializeError(`an instance of ${value.constructor?.name ?? 'a class'}`, path);
    const entries: [string, Json][] = [];
    for (const [key, item] of Object.entries(value)) {
      // JSON drops undefined properties; so do we, as the object reads the same afterwards.
      if (item !== undefined) entries.push([key, encode(item, `${path}.${key}`, ancestors)]);
    }
    const object = Object.fromEntries(entries) as { [key: string]: Json };
    return Object.hasOwn(value, TAG) ? { [TAG]: 'obj', v: object } : object;
  } finally {
    ancestors.delete(value);
  }
}

class MalformedError extends Error {}

function decodeObject(object: Record<string, unknown>): Record<string, unknown> {
  // fromEntries defines own properties, so a `__proto__` key stays data and never becomes a prototype.
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, decode(item)]));
}

function decode(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decode);
  const record = value as Record<string, unknown>;
  if (!Object.hasOwn(record, TAG)) return decodeObject(record);
  const tagged = record as Tagged;
  switch (tagged[TAG]) {
    case 'bigint':
      if (typeof tagged.v !== 'string' || !/^-?\d+$/.test(tagged.v)) throw new MalformedError();
      return BigInt(tagged.v);
    case 'date':
      if (tagged.v !== null && typeof tagged.v !== 'number') throw new MalformedError();
      return new Date(tagged.v ?? Number.NaN);
    case 'num':
      if (tagged.v !== 'NaN' && tagged.v !== 'Infinity' && tagged.v !== '-Infinity') throw new MalformedError();
      return Number(tagged.v);
    case 'undef':
      return undefined;
    case 'obj':
      if (tagged.v === null || typeof tagged.v !== 'object' || Array.isArray(tagged.v)) throw new MalformedError();
      return decodeObject(tagged.v as Record<string, unknown>);
    default:
      throw new MalformedError();
  }
}

/** JSON text of a value; throws SerializeError for anything the round trip would change. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(encode(value, '$', new Set()));
}

/** The value toJsonText wrote; throws on text it could not have written. */
export function fromJsonText(text: string): unknown {
  return decode(JSON.parse(text) as unknown);
}

export function serializeEnvelope(envelope: Envelope): string {
  return JSON.stringify({
    v: encode(envelope.v, '$', new Set()),
    storedAt: envelope.storedAt,
    freshUntil: envelope.freshUntil,
    staleUntil: envelope.staleUntil,
  });
}

/** The envelope, or undefined for text that is not one (corrupt, or written by an incompatible version). */
export function parseEnvelope(text: string): Envelope | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const { v, storedAt, freshUntil, staleUntil } = parsed as Record<string, unknown>;
    if (!Object.hasOwn(parsed, 'v') || typeof storedAt !== 'number' || typeof freshUntil !== 'number' || typeof staleUntil !== 'number')
      return undefined;
    return { v: decode(v), storedAt, freshUntil, staleUntil };
  } catch {
    return undefined;
  }
}
