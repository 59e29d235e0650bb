// Removes from an operation every field the principal may not see, before the gateway plans it, and records where
// each removed field would have appeared so that the response can carry a null and a FORBIDDEN error there. The
// decision depends only on (parent type, field name, principal), so aliases, named and inline fragments, interfaces,
// unions and @include/@skip cannot route around it: a refused field is removed wherever it is written.
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isListType,
  isNonNullType,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Principal } from '../../../lib/auth/principal.js';
import {
  type AccessRules,
  combineRequirements,
  missingScopes,
  type Requirement,
  refusalReason,
  satisfies,
} from '../../../lib/auth/requirements.js';

/** Response keys the filter adds and the response step removes again. */
export const PLACEHOLDER_KEY = '__fg_placeholder';
export const TYPENAME_KEY = '__fg_typename';

/** How many selections one operation's walk may visit; far beyond any real client's query. */
const MAX_WALK_STEPS = 20_000;

export class OperationTooComplexError extends Error {
  constructor() {
    super('operation too complex to authorise');
    this.name = 'OperationTooComplexError';
  }
}

/** Response keys a client may not use as aliases: they are the filter's own. */
export const RESERVED_ALIAS_PREFIX = '__fg_';

export interface TypeCondition {
  readonly at: number;
  readonly type: string;
}

/** A segment of a response path; '@' stands for every item of a list. */
export type PathTemplate = ReadonlyArray<string | '@'>;

export interface Refusal {
  readonly path: PathTemplate;
  /**
   * Type conditions narrower than the declared type, on the objects along the path: `at` is how many path segments
   * lead to the object that must be of `type` (the refused field's parent is at `path.length - 1`).
   */
  readonly typeConditions: readonly TypeCondition[];
  /** "Type.field", for logs and the audit. */
  readonly coordinate: string;
  readonly missingScopes: readonly string[];
  readonly reason: 'MISSING_SCOPE' | 'STEP_UP_REQUIRED';
}

export interface FilteredOperation {
  readonly document: DocumentNode;
  readonly refusals: readonly Refusal[];
}

/**
 * What selecting `field` on `parent` requires: the field's own rule, its return type's, its parent type's, and, on
 * an interface, the same for every implementation (the strictest applies, as any of them may answer).
 */
export function requirementFor(
  schema: GraphQLSchema,
  rules: AccessRules,
  parent: GraphQLCompositeType,
  field: string,
): Requirement | undefined {
  const parents: GraphQLNamedType[] = isAbstractType(parent) ? [parent, ...schema.getPossibleTypes(parent)] : [parent];
  const parts: Array<Requirement | undefined> = [];
  for (const type of parents) {
    parts.push(rules.types.get(type.name), rules.fields.get(`${type.name}.${field}`));
    const definition = 'getFields' in type ? type.getFields()[field] : undefined;
    if (definition) parts.push(rules.types.get(getNamedType(definition.type).name));
  }
  return combineRequirements(parts);
}

/** Whether @include/@skip let a selection run with these variables. */
export function included(node: SelectionNode, variables: Readonly<Record<string, unknown>>): boolean {
  for (const directive of node.directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const argument = directive.arguments?.find((arg) => arg.name.value === 'if')?.value;
    let value: unknown = true;
    if (argument?.kind === Kind.BOOLEAN) value = argument.value;
    else if (argument?.kind === Kind.VARIABLE) value = variables[argument.name.value];
    if (name === 'skip' && value === true) return false;
    if (name === 'include' && value !== true) return false;
  }
  return true;
}

function listSegments(type: GraphQLOutputType): Array<'@'> {
  const segments: Array<'@'> = [];
  let current: GraphQLOutputType = type;
  for (;;) {
    if (isNonNullType(current)) current = current.ofType;
    else if (isListType(current)) {
      segments.push('@');
      current = current.ofType;
    } else return segments;
  }
}

const placeholder: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: PLACEHOLDER_KEY },
  name: { kind: Kind.NAME, value: '__typename' },
};
const typenameProbe: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: TYPENAME_KEY },
  name: { kind: Kind.NAME, value: '__typename' },
};

export function filterOperation(options: {
  readonly schema: GraphQLSchema;
  readonly rules: AccessRules;
  readonly document: DocumentNode;
  /** The operation that runs, as Apollo Server resolved it. */
  readonly operation: OperationDefinitionNode;
  /** Coerced variable values (defaults applied). */
  readonly variables: Readonly<Record<string, unknown>>;
  readonly principal: Principal;
}): FilteredOperation {
  const { schema, rules, document, principal, variables } = options;
  const allowed = (parent: GraphQLCompositeType, field: string) =>
    field.startsWith('__') || satisfies(principal, requirementFor(schema, rules, parent, field));

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const { operation } = options;

  // 1. Refused fields removed everywhere they are written, whether or not @include/@skip would run them; an emptied selection keeps a placeholder so the document
  // stays valid, and selections on abstract types learn each object's type for the response step.
  let removed = 0;
  const typeInfo = new TypeInfo(schema);
  const rewritten = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const parent = typeInfo.getParentType();
          if (parent && !allowed(parent, node.name.value)) {
            removed += 1;
            return null;
          }
          return undefined;
        },
      },
      SelectionSet: {
        leave(node) {
          const parent = typeInfo.getParentType();
          const selections = [...node.selections];
          if (parent && isAbstractType(parent)) selections.push(typenameProbe);
          if (node.selections.length === 0) selections.push(placeholder);
          return selections.length === node.selections.length ? undefined : { ...node, selections };
        },
      },
    }),
  );
  if (removed === 0) return { document, refusals: [] };

  // 2. Where the refused fields would have appeared in the response (only in the operation that runs, and only
  // where @include/@skip let them run), for the nulls and errors the response step adds.
  const refusals: Refusal[] = [];
  const recorded = new Set<string>();
  // A fragment spread many times at one place is walked once there: without this, fragments that spread each other
  // twice over would make the walk exponential in the depth of the document.
  const walked = new Set<string>();
  let steps = 0;
  const walk = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    path: PathTemplate,
    conditions: readonly TypeCondition[],
    seen: ReadonlySet<string>,
  ) => {
    const conditionId = conditions.map((entry) => `${entry.at}:${entry.type}`).join(',');
    for (const selection of selectionSet.selections) {
      steps += 1;
      if (steps > MAX_WALK_STEPS) throw new OperationTooComplexError();
      if (!included(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const definition = 'getFields' in parent ? parent.getFields()[name] : undefined;
        if (!definition) continue;
        const key = selection.alias?.value ?? name;
        if (!allowed(parent, name)) {
          const requirement = requirementFor(schema, rules, parent, name) as Requirement;
          const id = `${[...path, key].join('.')}|${conditionId}`;
          if (recorded.has(id)) continue;
          recorded.add(id);
          refusals.push({
            path: [...path, key],
            typeConditions: conditions,
            coordinate: `${parent.name}.${name}`,
            missingScopes: missingScopes(principal, requirement),
            reason: refusalReason(principal, requirement) === 'STEP_UP_REQUIRED' ? 'STEP_UP_REQUIRED' : 'MISSING_SCOPE',
          });
          continue;
        }
        const returned = getNamedType(definition.type);
        if (selection.selectionSet && 'name' in returned) {
          walk(
            selection.selectionSet,
            returned as GraphQLCompositeType,
            [...path, key, ...listSegments(definition.type)],
            conditions,
            seen,
          );
        }
      } else {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : undefined;
        if (selection.kind === Kind.FRAGMENT_SPREAD && (!fragment || seen.has(selection.name.value))) continue;
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          const id = `${selection.name.value}|${path.join('.')}|${parent.name}|${conditionId}`;
          if (walked.has(id)) continue;
          walked.add(id);
        }
        const typeCondition = selection.kind === Kind.INLINE_FRAGMENT ? selection.typeCondition : fragment?.typeCondition;
        const narrowed = (typeCondition ? schema.getType(typeCondition.name.value) : parent) as GraphQLCompositeType | undefined;
        if (!narrowed) continue;
        const body = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : (fragment as FragmentDefinitionNode).selectionSet;
        const nextSeen = selection.kind === Kind.FRAGMENT_SPREAD ? new Set([...seen, selection.name.value]) : seen;
        const narrower = narrowed.name !== parent.name ? [...conditions, { at: path.length, type: narrowed.name }] : conditions;
        walk(body, narrowed, path, narrower, nextSeen);
      }
    }
  };
  const root = schema.getRootType(operation.operation);
  if (root) walk(operation.selectionSet, root, [], [], new Set());

  return { document: withoutUnusedVariables(rewritten), refusals };
}

/** A variable used only by removed fields would make the document invalid ("never used"); its definition goes too. */
function withoutUnusedVariables(document: DocumentNode): DocumentNode {
  const used = new Set<string>();
  visit(document, {
    VariableDefinition: () => false,
    Variable(node) {
      used.add(node.name.value);
    },
  });
  return visit(document, {
    VariableDefinition(node) {
      return used.has(node.variable.name.value) ? undefined : null;
    },
  });
}
