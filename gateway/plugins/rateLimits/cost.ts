// What an operation costs the tenant's and the client's budgets, in cost units: the gateway passes the demand-control
// estimate (gateway/server.ts), so budgets are charged in the units `extensions.cost` reports; the limiter alone
// (unit tests) charges one unit per operation.
import type { GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import type { GatewayContext } from '../../context.js';

/** The operation's cost before execution: a non-negative number of units. Runs once per operation, before planning. */
export type OperationCost = (requestContext: GraphQLRequestContextDidResolveOperation<GatewayContext>) => number;

/** One unit per operation, whatever it asks for: the limiter's own default when no estimate is given. */
export const oneUnitPerOperation: OperationCost = () => 1;
