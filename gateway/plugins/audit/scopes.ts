// Which scoped fields are personal data, and which are regulated (the gateway refuses them when the audit trail has no
// room), decided once from the scopes that guard them in the supergraph's rules rather than from a list of fields.
import { type DocumentNode, type GraphQLSchema, Kind, type OperationDefinitionNode, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import type { AccessRules } from '../../../lib/auth/requirements.js';
import { included, requirementFor } from '../authorization/operationFilter.js';

/**
 * Scopes whose fields identify or describe a person: `profile:read` (name, email, phone, masked tax id), `pii:read`
 * (tax id, date of birth, address, account numbers), `kyc:read` (identity verification, sanctions screening),
 * `credit:read` and `credit:report` (a consumer's score and credit file).
 */
export const PERSONAL_DATA_SCOPES: ReadonlySet<string> = new Set(['profile:read', 'pii:read', 'kyc:read', 'credit:read', 'credit:report']);

/** Personal data, plus payments read or moved: what is never served or done while it cannot be audited. */
export const REGULATED_SCOPES: ReadonlySet<string> = new Set([...PERSONAL_DATA_SCOPES, 'payments:read', 'payments:write']);

export interface ScopedFields {
  /** Coordinates of the scoped fields the operation selects (with the @include/@skip it runs with). */
  readonly coordinates: ReadonlySet<string>;
  readonly personalData: boolean;
  readonly regulated: boolean;
}

/** The operation named `operationName` in the document (the only one when unnamed), as GraphQL picks it. */
export function operationIn(document: DocumentNode, operationName: string | undefined | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((operation) => operation.name?.value === operationName) : operations[0];
}

/**
 * Walks the operation that runs (and the fragments in the document: a fragment spread only where @skip drops it is
 * still counted, erring towards recording a field). Fields without a scope (public ones, `__typename`) are not listed.
 */
export function scopedFields(
  schema: GraphQLSchema,
  rules: AccessRules,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): ScopedFields {
  const coordinates = new Set<string>();
  let personalData = false;
  let regulated = false;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition: (node) => (node === operation ? undefined : false),
      InlineFragment: (node) => (included(node, variables) ? undefined : false),
      Field(node) {
        if (!included(node, variables)) return false;
        const parent = typeInfo.getParentType();
        const name = node.name.value;
        if (!parent || name.startsWith('__')) return undefined;
        const requirement = requirementFor(schema, rules, parent, name);
        const scopes = requirement?.scopes.flat(2) ?? [];
        if (scopes.length === 0) return undefined;
        coordinates.add(`${parent.name}.${name}`);
        if (scopes.some((scope) => PERSONAL_DATA_SCOPES.has(scope))) personalData = true;
        if (scopes.some((scope) => REGULATED_SCOPES.has(scope))) regulated = true;
        return undefined;
      },
    }),
  );
  return { coordinates, personalData, regulated };
}
