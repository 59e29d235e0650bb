// Demand control at the gateway, as an Apollo Server plugin: before execution it estimates the operation's cost from
// the supergraph's @cost and @listSize and refuses it (QUERY_TOO_COMPLEX, HTTP 400, no subgraph called) above the
// caller's maximum; after execution it measures the actual cost from the response. Both go on the request's log
// line, into `extensions.cost` when the request asks (`"extensions": {"cost": true}`), and to the rate limiter through
// `operationCost(context)`.
import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, getVariableValues } from 'graphql';
import { queryTooComplex } from '../../../lib/errors/index.js';
import type { GatewayContext } from '../../context.js';
import { actualCost, estimateCost } from './measure.js';
import type { CostLimits, CostOptions } from './options.js';

export { actualCost, estimateCost, type MeasureInput } from './measure.js';
export { type CostLimits, type CostOptions, DEFAULT_MAX_COST, readCostLimits } from './options.js';
export { COST_SPEC, type CostRules, CostRulesError, findUnsizedLists, type ListSizeRule, readCostRules } from './rules.js';

/** One operation's cost, in cost units. */
export interface OperationCost {
  /** Estimated before execution; what the rate limiter charges. */
  readonly estimated: number;
  /** The maximum the operation was held to (the caller's plan's, or the default). */
  readonly max: number;
  /** Measured from the response once it is complete; undefined before that, or when the operation was refused. */
  readonly actual: number | undefined;
}

interface CostRecord {
  estimated: number;
  max: number;
  actual: number | undefined;
}

/**
 * Per operation, keyed by the context object Apollo Server hands that operation's plugins (its own shallow copy of the
 * request's context), so a record lives exactly as long as its operation.
 */
const costs = new WeakMap<GatewayContext, CostRecord>();

/**
 * The cost of one operation, for the rate limiter to charge: pass `requestContext.contextValue` from a plugin hook.
 * Set in the cost plugin's `didResolveOperation` before it returns (synchronously, with no await before it), so a
 * plugin registered after the cost plugin reads it in its own `didResolveOperation`, before anything executes; the
 * estimate is recorded even when the operation is then refused for its cost. Undefined when the operation never got
 * that far (it did not parse or validate) or its variables were invalid.
 */
export function operationCost(context: GatewayContext): OperationCost | undefined {
  const record = costs.get(context);
  return record ? { estimated: record.estimated, max: record.max, actual: record.actual } : undefined;
}

/** What a whole HTTP request has cost (the sum over its operations, when a batch holds several), for its log line. */
export interface RequestCostTally {
  /** Operations estimated: none for a request refused before (unauthenticated, unparsable), which logs no cost. */
  operations: number;
  estimated: number;
  /** Undefined until an operation has been measured after execution. */
  actual: number | undefined;
}

export function createRequestCostTally(): RequestCostTally {
  return { operations: 0, estimated: 0, actual: undefined };
}

/** The request log line's cost fields: nothing for a request no operation of which was estimated. */
export function costLogFields(context: GatewayContext): { readonly cost?: { readonly estimated: number; readonly actual?: number } } {
  const tally = context.cost;
  if (!tally || tally.operations === 0) return {};
  return { cost: { estimated: tally.estimated, ...(tally.actual !== undefined ? { actual: tally.actual } : {}) } };
}

/** The maximum for this caller: its token's plan's, when the plan is listed, else the default. */
export function maximumFor(limits: CostLimits, plan: string | undefined): number {
  return (plan !== undefined ? limits.planMaxima.get(plan) : undefined) ?? limits.maxPerOperation;
}

/** A client asks for `extensions.cost` with `"extensions": {"cost": true}` in its request (or the `extensions` GET parameter). */
function asksForCost(extensions: Readonly<Record<string, unknown>> | undefined): boolean {
  return extensions?.cost === true;
}

export function createCostPlugin(options: CostOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let measured: { document: DocumentNode; variables: Record<string, unknown> } | undefined;
      return {
        // Registered after the authorisation plugin, whose didResolveOperation (which awaits nothing) has already
        // replaced the document with the one that will run: fields the caller may not read are never fetched, so
        // they are not charged, and the authorisation walk's own bound has already been applied to the document.
        async didResolveOperation(requestContext) {
          const { request, schema, contextValue } = requestContext;
          const document = requestContext.document;
          const operation = requestContext.operation;
          if (!operation) return;
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          if (coerced.errors) return; // execution refuses these variables with BAD_USER_INPUT before anything runs
          const input = { schema, rules: options.rules, document, operationName: request.operationName, variables: coerced.coerced };
          const estimated = estimateCost(input);
          const max = maximumFor(options, contextValue.principal?.plan);
          costs.set(contextValue, { estimated, max, actual: undefined });
          if (contextValue.cost) {
            contextValue.cost.operations += 1;
            contextValue.cost.estimated += estimated;
          }
          measured = { document, variables: coerced.coerced };
          if (estimated > max) {
            options.logger.info(
              { requestId: contextValue.requestId, estimated, max, plan: contextValue.principal?.plan ?? null },
              'operation refused: over its cost maximum',
            );
            throw queryTooComplex('cost', max, estimated);
          }
        },
        async willSendResponse(requestContext) {
          const record = costs.get(requestContext.contextValue);
          const body = requestContext.response.body;
          if (!record || body.kind !== 'single') return;
          const result = body.singleResult;
          // Refused operations ran nothing: they have no actual cost to measure.
          if (measured && result.data !== undefined) {
            record.actual = actualCost({
              schema: requestContext.schema,
              rules: options.rules,
              document: measured.document,
              operationName: requestContext.request.operationName,
              variables: measured.variables,
              data: result.data,
              // A list longer than its assumed size means the estimate undercharged: the size in the schema needs raising.
              onOverAssumedSize: (coordinate, length, assumedSize) =>
                options.logger.warn(
                  { requestId: requestContext.contextValue.requestId, coordinate, length, assumedSize },
                  'list longer than its assumed size',
                ),
            });
            const tally = requestContext.contextValue.cost;
            if (tally) tally.actual = (tally.actual ?? 0) + record.actual;
          }
          if (asksForCost(requestContext.request.extensions)) {
            result.extensions = {
              ...result.extensions,
              cost: { estimated: record.estimated, max: record.max, ...(record.actual !== undefined ? { actual: record.actual } : {}) },
            };
          }
        },
      };
    },
  };
}
