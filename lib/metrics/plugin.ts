// The Apollo Server plugin that feeds a service's metrics: one observation per GraphQL request, when its response is
// sent (refusals inside Apollo Server included: parse, validation, authorisation, limits). Requests the HTTP edge
// refuses before Apollo Server (no token, a rate limit at admission) are counted by the edge's onRefused instead.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getOperationAST } from 'graphql';
import type { Outcome, ServiceMetrics } from './registry.js';

export function createMetricsPlugin<TContext extends BaseContext>(metrics: ServiceMetrics): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, operationName, request, document }) {
          // Only single results: incremental delivery is not enabled on any FinGraph server.
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const outcome: Outcome = !errors || errors.length === 0 ? 'success' : data ? 'partial' : 'error';
          const code = (extensions: Record<string, unknown> | undefined) =>
            typeof extensions?.code === 'string' ? extensions.code : undefined;
          metrics.observe({
            // Apollo Server names the operation only once it validates; a document refused by validation still has one.
            operationName:
              operationName ?? (document && getOperationAST(document, request.operationName)?.name?.value) ?? request.operationName,
            outcome,
            durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
            errorCodes: (errors ?? []).map((error) => code(error.extensions)),
          });
        },
      };
    },
  };
}
