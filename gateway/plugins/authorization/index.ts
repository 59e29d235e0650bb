// Field-level authorisation at the gateway, as an Apollo Server plugin. Before planning, it removes every field the
// principal may not see (so no subgraph or upstream is asked for it) and re-keys the query-plan cache by the rewritten
// document; after execution, those fields come back null with FORBIDDEN errors and the rest of the response stands.
// With `mode: 'reject'`, an operation that asks for any refused field is refused whole instead.
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, type GraphQLFormattedError, getVariableValues, print, visit } from 'graphql';
import type { AccessRules } from '../../../lib/auth/requirements.js';
import { badUserInput, ErrorCode, FinGraphError, forbidden } from '../../../lib/errors/index.js';
import type { Logger } from '../../../lib/logging/logger.js';
import type { GatewayContext } from '../../context.js';
import { filterOperation, OperationTooComplexError, RESERVED_ALIAS_PREFIX, type Refusal } from './operationFilter.js';
import { applyRefusals } from './refusedFields.js';

export interface AuthorizationOptions {
  readonly rules: AccessRules;
  /** 'partial' (default): refused fields are null with an error each. 'reject': the whole operation is refused. */
  readonly mode: 'partial' | 'reject';
  readonly logger: Logger;
}

function usesReservedAlias(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.alias?.value.startsWith(RESERVED_ALIAS_PREFIX)) found = true;
    },
  });
  return found;
}

export function createAuthorizationPlugin(options: AuthorizationOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let refusals: readonly Refusal[] = [];
      return {
        async didResolveOperation(requestContext) {
          const { principal, requestId } = requestContext.contextValue;
          if (!principal) return; // introspection-only requests (see authentication); nothing reaches a subgraph
          const operation = requestContext.operation;
          if (!operation) return; // Apollo Server refuses an operation it could not resolve before anything runs
          if (usesReservedAlias(requestContext.document)) {
            throw badUserInput(`Aliases starting with ${RESERVED_ALIAS_PREFIX} are reserved`);
          }
          // @include/@skip are judged on the values the operation will run with: defaults applied, as graphql-js does.
          const coerced = getVariableValues(
            requestContext.schema,
            operation.variableDefinitions ?? [],
            requestContext.request.variables ?? {},
          );
          if (coerced.errors) return; // execution will refuse these variables with BAD_USER_INPUT before anything runs
          let filtered: ReturnType<typeof filterOperation>;
          try {
            filtered = filterOperation({
              schema: requestContext.schema,
              rules: options.rules,
              document: requestContext.document,
              operation,
              variables: coerced.coerced,
              principal,
            });
          } catch (error) {
            if (error instanceof OperationTooComplexError)
              throw new FinGraphError(ErrorCode.QUERY_TOO_COMPLEX, 'This operation is too complex');
            throw error;
          }
          // For the audit record (plugins/audit): which scoped fields this caller was refused, in either mode.
          for (const refusal of filtered.refusals) requestContext.contextValue.audit?.refused.add(refusal.coordinate);
          if (filtered.document === requestContext.document) return;
          options.logger.info({ requestId, refused: filtered.refusals.map((refusal) => refusal.coordinate) }, 'fields refused');
          if (options.mode === 'reject') {
            const stepUp = filtered.refusals.length > 0 && filtered.refusals.every((refusal) => refusal.reason === 'STEP_UP_REQUIRED');
            throw forbidden('This operation asks for fields the caller may not read', {
              reason: stepUp ? 'STEP_UP_REQUIRED' : 'MISSING_SCOPE',
            });
          }
          refusals = filtered.refusals;
          const mutable = requestContext as { document: typeof filtered.document; queryHash: string };
          mutable.document = filtered.document;
          // The gateway caches query plans by queryHash: without a new hash, one principal's plan would serve another's.
          mutable.queryHash = createHash('sha256').update(print(filtered.document)).digest('hex');
        },
        async willSendResponse(requestContext) {
          if (refusals.length === 0 || requestContext.response.body.kind !== 'single') return;
          const result = requestContext.response.body.singleResult;
          const data = result.data as Parameters<typeof applyRefusals>[1];
          // With no data at all there is no place to put a refused field's null; the response's own errors say why.
          if (!data) return;
          const added: GraphQLFormattedError[] = applyRefusals(requestContext.schema, data, refusals);
          result.errors = [...(result.errors ?? []), ...added];
        },
      };
    },
  };
}
