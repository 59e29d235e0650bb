// The gateway's audit trail: one `api.call` record per /graphql request, refused ones included, written when the
// request ends at the HTTP edge (lib/server/graphqlHttp.ts, onRequestEnd), which every request reaches, and an Apollo
// Server plugin that collects what only the running operation knows (its type, name, hash, scoped fields, resource,
// first error) and, before anything runs, refuses regulated work while the sink has no room (AUDIT_UNAVAILABLE).
import { isIP } from 'node:net';
import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditWhenFull } from '../../../lib/audit/config.js';
import type { AuditEvent } from '../../../lib/audit/record.js';
import { maxFieldCoordinates, maxOtherResources, userAgentMaxLength } from '../../../lib/audit/record.js';
import type { AuditSink } from '../../../lib/audit/sink.js';
import type { AccessRules } from '../../../lib/auth/requirements.js';
import { auditUnavailable, ErrorCode } from '../../../lib/errors/index.js';
import type { Logger } from '../../../lib/logging/logger.js';
import type { RequestEnd } from '../../../lib/server/graphqlHttp.js';
import type { GatewayContext } from '../../context.js';
import { clientAddress } from '../rateLimits/index.js';
import { operationResources } from './resource.js';
import { operationIn, scopedFields } from './scopes.js';

export { createRequestAuditFacts, type RequestAuditFacts } from './facts.js';
export { PERSONAL_DATA_SCOPES, REGULATED_SCOPES } from './scopes.js';

export interface AuditOptions {
  readonly sink: AuditSink;
  /** The supergraph's access rules: which fields are scoped, and by which scopes. */
  readonly rules: AccessRules;
  /** `refuse-regulated` (default): only regulated operations are refused while the sink has no room; `refuse-all`. */
  readonly whenFull: AuditWhenFull;
  /** Proxies in front of the gateway that append to X-Forwarded-For (RATE_LIMIT_TRUSTED_PROXY_HOPS); 0: the socket. */
  readonly trustedProxyHops: number;
  readonly logger: Logger;
}

export interface GatewayAudit {
  /** Registered after the authorisation and cost plugins, whose didResolveOperation has run (it awaits nothing). */
  readonly plugin: ApolloServerPlugin<GatewayContext>;
  /** The edge's onRequestEnd: builds and appends the request's record (never throws; a failed append is logged). */
  onRequestEnd(end: RequestEnd<GatewayContext>): void;
}

const sha256Hex = /^[0-9a-f]{64}$/;
/** Apollo Server's own codes beside ours, for the errors it makes before any resolver runs. */
const knownCodes: ReadonlySet<string> = new Set([
  ...Object.values(ErrorCode),
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);
const traceIdPattern = /^[0-9a-f]{32}$/;
const identifierMax = 200;

/** The code of an answer the edge or Apollo Server gave without an error the plugin saw (a malformed request, CSRF). */
function codeForStatus(status: number): string {
  if (status === 401) return ErrorCode.UNAUTHENTICATED;
  if (status === 403) return ErrorCode.FORBIDDEN;
  if (status === 429) return ErrorCode.RATE_LIMITED;
  // The client went away before any answer (the edge's log says 499).
  if (status === 499) return 'CLIENT_CLOSED_REQUEST';
  if (status >= 500) return ErrorCode.INTERNAL_SERVER_ERROR;
  return ErrorCode.BAD_USER_INPUT;
}

/** The address as the record's schema takes it: an IPv4-mapped IPv6 address as its IPv4 form, anything else null. */
function ipOf(address: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const candidate = mapped ?? address;
  return isIP(candidate) === 0 ? null : candidate;
}

const sorted = (coordinates: ReadonlySet<string>) => [...coordinates].sort().slice(0, maxFieldCoordinates);

export function createGatewayAudit(options: AuditOptions): GatewayAudit {
  const { sink, rules, logger } = options;
  return {
    plugin: {
      async requestDidStart({ request, contextValue }) {
        const facts = contextValue.audit;
        if (!facts) return undefined;
        // Sent by hash alone (automatic persisted queries): the hash is the document's identity until its text is found.
        const persisted = request.extensions?.persistedQuery;
        const hash = persisted && typeof persisted === 'object' ? (persisted as { sha256Hash?: unknown }).sha256Hash : undefined;
        if (typeof hash === 'string' && sha256Hex.test(hash)) facts.documentHash = hash;
        return {
          async didResolveSource({ queryHash }) {
            // Apollo Server's queryHash is the SHA-256 of the text as received, before authorisation rewrites it.
            if (sha256Hex.test(queryHash)) facts.documentHash = queryHash;
          },
          async didResolveOperation(requestContext) {
            const { operation, document, schema } = requestContext;
            if (!operation) return;
            const variables = requestContext.request.variables ?? {};
            facts.action = operation.operation;
            facts.operationName = requestContext.operationName?.slice(0, identifierMax) ?? null;
            // Added to, not replaced: a batch's operations share one record.
            for (const resource of operationResources(operation, variables, contextValue.principal)) {
              if (!facts.resources.includes(resource)) facts.resources.push(resource);
            }
            // The document that runs: the authorisation plugin has removed what this caller may not see by now.
            const running = operationIn(document, requestContext.operationName) ?? operation;
            const scoped = scopedFields(schema, rules, document, running, variables);
            for (const coordinate of scoped.coordinates) facts.served.add(coordinate);
            facts.personalData ||= scoped.personalData;
            // Regulated work holds its record's place before it runs, so that it can never have run without one (a batch's
            // operations share the request's one record and one place).
            if ((options.whenFull === 'refuse-all' || scoped.regulated) && !facts.reservation) {
              facts.reservation = sink.reserve();
              if (!facts.reservation) {
                logger.warn({ requestId: contextValue.requestId, queued: sink.queued }, 'request refused: the audit trail has no room');
                throw auditUnavailable();
              }
            }
          },
          async willSendResponse({ response }) {
            if (response.body.kind !== 'single') return;
            const { data } = response.body.singleResult;
            facts.dataServed = data !== null && data !== undefined;
            const first = response.body.singleResult.errors?.[0];
            if (!first) return;
            const code = first.extensions?.code;
            // Only codes of ours (a closed list) reach the trail: a subgraph's or an upstream's made-up code is recorded as
            // the masked failure it is to the client.
            facts.errorCode = typeof code === 'string' && knownCodes.has(code) ? code : ErrorCode.INTERNAL_SERVER_ERROR;
          },
        };
      },
    },

    onRequestEnd(end) {
      const { facts: requestFacts, request, context } = end;
      const facts = context?.audit;
      const principal = context?.principal;
      // A partial answer (data and errors, a refused field among them) is a failure with its first error's code:
      // fieldsServed still says what was served, fieldsRefused what was not.
      const failureCode = end.refusal ?? facts?.errorCode ?? (end.status >= 400 ? codeForStatus(end.status) : null);
      const userAgent = request.headers['user-agent'];
      const event: AuditEvent = {
        type: 'api.call',
        action: facts?.action ?? null,
        personalData: facts?.dataServed === true && facts.personalData,
        at: end.startedAt.toISOString(),
        outcome: failureCode === null ? 'success' : 'failure',
        failureCode,
        sub: principal?.sub ?? null,
        tenant: principal?.tenant ?? null,
        clientIp: ipOf(clientAddress(request, options.trustedProxyHops)),
        // Printable ASCII only: a client's header cannot write control characters (a forged line, an escape) into the
        // trail or into what an auditor's terminal prints of it.
        userAgent:
          typeof userAgent === 'string' && userAgent !== '' ? userAgent.slice(0, userAgentMaxLength).replace(/[^\x20-\x7e]/g, '?') : null,
        resource: facts?.resources[0] ?? null,
        otherResources: facts?.resources.slice(1, 1 + maxOtherResources) ?? [],
        operationName: facts?.operationName ?? null,
        documentHash: facts?.documentHash ?? null,
        // An answer without data (refused before execution) served none of what the operation selected.
        fieldsServed: facts?.dataServed ? sorted(facts.served) : [],
        fieldsRefused: facts ? sorted(facts.refused) : [],
        requestId: requestFacts.requestId,
        traceId: requestFacts.traceId !== undefined && traceIdPattern.test(requestFacts.traceId) ? requestFacts.traceId : null,
      };
      (facts?.reservation ? facts.reservation.append(event) : sink.append(event)).catch((error: unknown) => {
        logger.error(
          { requestId: requestFacts.requestId, err: error instanceof Error ? error.message : String(error) },
          'audit record not written',
        );
      });
    },
  };
}
