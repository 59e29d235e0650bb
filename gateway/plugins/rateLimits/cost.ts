// What an operation costs the tenant's and the client's budgets, in cost units. Until demand control lands, every
// operation costs one unit; its estimate then plugs in here as one function (see README "Rate limits"), so budgets are
// charged in the same units `extensions.cost` reports.
import type { GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import type { GatewayContext } from '../../context.js';

/** The operation's cost before execution: a non-negative number of units. Runs once per operation, before planning. */
export type OperationCost = (requestContext: GraphQLRequestContextDidResolveOperation<GatewayContext>) => number;

/** One unit per operation, whatever it asks for: the default until the demand-control estimate is wired. */
export const oneUnitPerOperation: OperationCost = () => 1;
