// Field-level authorisation at the gateway, as an Apollo Server plugin. Before planning, it removes every field the
// principal may not see (so no subgraph or upstream is asked for it) and re-keys the query-plan cache by the rewritten
// document; after execution, those fields come back null with FORBIDDEN errors and the rest of the response stands.
// With `mode: 'reject'`, an operation that asks for any refused field is refused whole instead.
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { print, type GraphQLFormattedError } from 'graphql';
import type { AccessRules } from '../../../lib/auth/requirements.js';
import { forbidden } from '../../../lib/errors/index.js';
import type { Logger } from '../../../lib/logging/logger.js';
import type { GatewayContext } from '../../context.js';
import { filterOperation, type Refusal } from './operationFilter.js';
import { applyRefusals } from './refusedFields.js';

export interface AuthorizationOptions {
  readonly rules: AccessRules;
  /** 'partial' (default): refused fields are null with an error each. 'reject': the whole operation is refused. */
  readonly mode: 'partial' | 'reject';
  readonly logger: Logger;
}

export function createAuthorizationPlugin(options: AuthorizationOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let refusals: readonly Refusal[] = [];
      return {
        async didResolveOperation(requestContext) {
          const { principal, requestId } = requestContext.contextValue;
          if (!principal) return; // introspection-only requests (see authentication); nothing reaches a subgraph
          const filtered = filterOperation({
            schema: requestContext.schema,
            rules: options.rules,
            document: requestContext.document,
            operationName: requestContext.operationName ?? undefined,
            variables: requestContext.request.variables ?? {},
            principal,
          });
          if (filtered.document === requestContext.document) return;
          options.logger.info({ requestId, refused: filtered.refusals.map((refusal) => refusal.coordinate) }, 'fields refused');
          if (options.mode === 'reject') {
            const stepUp = filtered.refusals.length > 0 && filtered.refusals.every((refusal) => refusal.reason === 'STEP_UP_REQUIRED');
            throw forbidden('This operation asks for fields the caller may not read', { reason: stepUp ? 'STEP_UP_REQUIRED' : 'MISSING_SCOPE' });
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
          const added: GraphQLFormattedError[] = applyRefusals(requestContext.schema, data, refusals);
          result.errors = [...(result.errors ?? []), ...added];
        },
      };
    },
  };
}
