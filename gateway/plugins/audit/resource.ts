// The resource an API call names, by id only, for its audit record: the root field's customer, account or payment id
// (from its arguments or variables), the signed-in customer for `me` and consents, the tenant for tenant-wide reads.
import { type OperationDefinitionNode, valueFromASTUntyped } from 'graphql';
import { resourceId } from '../../../lib/audit/resource.js';
import type { Principal } from '../../../lib/auth/principal.js';

type Arguments = Readonly<Record<string, unknown>>;

const field = (value: unknown, name: string): unknown =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;

/** Root fields that name a resource; any other (institutions, introspection) names none. */
const rootResources: Readonly<Record<string, (args: Arguments, principal: Principal | undefined) => string | null>> = {
  customer: (args) => resourceId('customer', args.id),
  me: (_, principal) => resourceId('customer', principal?.customerId),
  customers: (_, principal) => resourceId('tenant', principal?.tenant),
  cashPosition: (_, principal) => resourceId('tenant', principal?.tenant),
  account: (args) => resourceId('account', args.id),
  payment: (args) => resourceId('payment', args.id),
  cancelPayment: (args) => resourceId('payment', args.id),
  // The payment has no id before it is made: the account it debits.
  initiatePayment: (args) => resourceId('account', field(args.input, 'sourceAccountId')),
  grantCreditConsent: (_, principal) => resourceId('customer', principal?.customerId),
  revokeCreditConsent: (_, principal) => resourceId('customer', principal?.customerId),
};

/** Every resource the operation's root fields name, distinct, in document order (aliases make several of one field). */
export function operationResources(
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  principal: Principal | undefined,
): string[] {
  const resources: string[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== 'Field') continue;
    // Own keys only: a field named `constructor` must not reach Object's.
    const resolve = Object.hasOwn(rootResources, selection.name.value) ? rootResources[selection.name.value] : undefined;
    if (!resolve) continue;
    const args: Record<string, unknown> = {};
    for (const argument of selection.arguments ?? []) args[argument.name.value] = valueFromASTUntyped(argument.value, variables);
    const resource = resolve(args, principal);
    if (resource && !resources.includes(resource)) resources.push(resource);
  }
  return resources;
}

/** The first root field's resource that names one; the record keeps the others beside it (`otherResources`). */
export function operationResource(
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  principal: Principal | undefined,
): string | null {
  return operationResources(operation, variables, principal)[0] ?? null;
}
