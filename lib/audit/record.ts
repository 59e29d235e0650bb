// The audit record: PCI DSS 10.2.2's fields plus what FinGraph's auditors ask for, and never a personal data value,
// token or secret. Schemas are strict, so a field nobody listed here cannot slip into the trail.
import { z } from 'zod';

/** What happened: a call to the public API at the gateway, or a call to an upstream that touches regulated data. */
export const AuditEventType = { ApiCall: 'api.call', UpstreamCall: 'upstream.call' } as const;
export type AuditEventType = (typeof AuditEventType)[keyof typeof AuditEventType];

/** Longest user agent kept: enough to tell clients apart, too short to smuggle a payload into the trail. */
export const userAgentMaxLength = 256;

const identifier = z.string().min(1).max(200);
/** A schema coordinate (`Customer.taxId`): names a field, never holds its value. */
const fieldCoordinate = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/);
/** Most coordinates kept per list: an operation's distinct scoped fields, bounded by the shape limits anyway. */
export const maxFieldCoordinates = 500;
/** Most further resources kept per record: an operation naming more is bounded by the shape limits long before. */
export const maxOtherResources = 50;
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const auditEventSchema = z
  .object({
    /** 10.2.2.2 type of event. */
    type: z.enum([AuditEventType.ApiCall, AuditEventType.UpstreamCall]),
    /**
     * What was done: for an API call its operation type (`query`, `mutation`, `subscription`; null when refused before
     * the document was read); for an upstream call the regulated action (`credit.pull`, `payment.create`, ...).
     */
    action: identifier.nullable(),
    /** Whether the event read or changed personal data (a field or an upstream call that holds it). */
    personalData: z.boolean(),
    /** 10.2.2.3 date and time, ISO 8601 in UTC with milliseconds. */
    at: z.iso.datetime({ precision: 3 }),
    /** 10.2.2.4 success or failure; a failure names the error code it was refused with. */
    outcome: z.enum(['success', 'failure']),
    failureCode: identifier.nullable(),
    /** 10.2.2.1 user identification: the token's `sub`, null when no valid token came. */
    sub: identifier.nullable(),
    tenant: identifier.nullable(),
    /** 10.2.2.5 origination. */
    clientIp: z.union([z.ipv4(), z.ipv6()]).nullable(),
    userAgent: z.string().max(userAgentMaxLength).nullable(),
    /** 10.2.2.6 identity of the affected resource, by identifier only (`customer:cus_1`, `bureau:experian`). */
    resource: identifier.nullable(),
    /** Every other resource the call named (an operation with several root fields, aliases included), so that a
     * resource asked for second is found as surely as the first. */
    otherResources: z.array(identifier).max(maxOtherResources),
    operationName: identifier.nullable(),
    /** SHA-256 of the GraphQL document, never the document (its literals may hold personal data). */
    documentHash: sha256Hex.nullable(),
    /** The scoped fields the response served, and those it refused to this caller, by coordinate. */
    fieldsServed: z.array(fieldCoordinate).max(maxFieldCoordinates),
    fieldsRefused: z.array(fieldCoordinate).max(maxFieldCoordinates),
    requestId: identifier,
    traceId: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .nullable(),
  })
  .strict();

export type AuditEvent = z.infer<typeof auditEventSchema>;

/** All zeros: the previous hash of a stream's first record. */
export const genesisHash = '0'.repeat(64);

export const auditRecordSchema = auditEventSchema
  .extend({
    /** The writer whose chain this record belongs to; one chain per stream. */
    stream: identifier,
    /** Position in the stream, from 1 with no gaps: a missing or moved record shows as a gap or a step back. */
    seq: z.number().int().positive(),
    /** The hash of the stream's previous record (`genesisHash` for the first). */
    prevHash: sha256Hex,
    /** SHA-256 over the canonical JSON of every other field. */
    hash: sha256Hex,
  })
  .strict();

export type AuditRecord = z.infer<typeof auditRecordSchema>;
