// Deny by default at the field level: every field a client can reach first (a root field) and every field one
// subgraph adds to an entity that several subgraphs resolve must need a scope, its own or its type's (the field's
// parent type or the type it returns: the same rules the authorisation filter enforces), or be marked
// `@public(reason:)`. Without this, a field nobody wrote a rule for would be served to any authenticated principal.
// Other fields are reached only through one of these, so the requirement on the way in covers them.
import { type ConstDirectiveNode, type DocumentNode, type GraphQLSchema, isInterfaceType, isObjectType, Kind, parse } from 'graphql';
import type { PublicFields } from '../lib/auth/publicFields.js';
import type { AccessRules } from '../lib/auth/requirements.js';
import { requirementFor } from './plugins/authorization/operationFilter.js';

export interface UnscopedField {
  /** "Type.field". */
  readonly coordinate: string;
  /** The subgraphs (their names, as in `@join__graph(name:)`) that resolve it. */
  readonly subgraphs: readonly string[];
}

export interface DenyByDefaultFindings {
  /** Fields that need a scope and have none, in supergraph order. */
  readonly unscoped: readonly UnscopedField[];
  /** Fields marked @public that need a scope all the same: the mark would list them as open when they are not. */
  readonly publicButScoped: readonly string[];
  /** Fields marked @public where deny by default does not apply (a subgraph's own type): the mark means nothing there. */
  readonly publicElsewhere: readonly string[];
}

function argument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((arg) => arg.name.value === name)?.value;
  return value?.kind === Kind.ENUM || value?.kind === Kind.STRING ? value.value : undefined;
}

function named(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode[] {
  return (directives ?? []).filter((directive) => directive.name.value === name);
}

function isExternal(join: ConstDirectiveNode): boolean {
  const value = join.arguments?.find((arg) => arg.name.value === 'external')?.value;
  return value?.kind === Kind.BOOLEAN && value.value;
}

/** The top-level fields of a key's field set ("id", "id org { id }"): the reference itself, which needs no rule of its own. */
function keyFields(fieldSet: string): string[] {
  const operation = parse(`{ ${fieldSet} }`).definitions[0];
  if (operation?.kind !== Kind.OPERATION_DEFINITION) return [];
  return operation.selectionSet.selections.flatMap((selection) => (selection.kind === Kind.FIELD ? [selection.name.value] : []));
}

/** Graph enum value (ACCOUNTS) → subgraph name (accounts), from the join__Graph enum. */
function subgraphNames(composed: DocumentNode): Map<string, string> {
  const names = new Map<string, string>();
  for (const definition of composed.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const graph = named(value.directives, 'join__graph')[0];
      names.set(value.name.value, (graph && argument(graph, 'name')) ?? value.name.value);
    }
  }
  return names;
}

export function findDenyByDefaultViolations(
  composed: DocumentNode,
  apiSchema: GraphQLSchema,
  rules: AccessRules,
  publicFields: PublicFields,
): DenyByDefaultFindings {
  const graphNames = subgraphNames(composed);
  const roots = new Set(
    [apiSchema.getQueryType(), apiSchema.getMutationType(), apiSchema.getSubscriptionType()].flatMap((type) => (type ? [type.name] : [])),
  );
  const unscoped: UnscopedField[] = [];
  const publicButScoped: string[] = [];
  const checked = new Set<string>();
  for (const definition of composed.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const joins = named(definition.directives, 'join__type');
    const typeGraphs = [...new Set(joins.flatMap((join) => argument(join, 'graph') ?? []))];
    const keys = new Set(
      joins.flatMap((join) => {
        const key = argument(join, 'key');
        return key ? keyFields(key) : [];
      }),
    );
    const isRoot = roots.has(definition.name.value);
    const isSharedEntity = keys.size > 0 && typeGraphs.length > 1;
    if (!isRoot && !isSharedEntity) continue;
    // What a client can select: a field hidden by @inaccessible is not served, so it needs no rule.
    const served = apiSchema.getType(definition.name.value);
    if (!served || !(isObjectType(served) || isInterfaceType(served))) continue;
    for (const field of definition.fields ?? []) {
      const coordinate = `${definition.name.value}.${field.name.value}`;
      if (!served.getFields()[field.name.value]) continue;
      if (!isRoot && keys.has(field.name.value)) continue;
      checked.add(coordinate);
      const requirement = requirementFor(apiSchema, rules, served, field.name.value);
      const scoped = (requirement?.scopes.length ?? 0) > 0;
      if (scoped && publicFields.has(coordinate)) publicButScoped.push(coordinate);
      if (scoped || publicFields.has(coordinate)) continue;
      // An @external field is another subgraph's to resolve; the graphs that resolve it are the ones to name.
      const fieldGraphs = named(field.directives, 'join__field')
        .filter((join) => !isExternal(join))
        .flatMap((join) => argument(join, 'graph') ?? []);
      const graphs = fieldGraphs.length > 0 ? fieldGraphs : typeGraphs;
      unscoped.push({ coordinate, subgraphs: [...new Set(graphs)].map((graph) => graphNames.get(graph) ?? graph) });
    }
  }
  const publicElsewhere = [...publicFields.keys()].filter((coordinate) => !checked.has(coordinate));
  return { unscoped, publicButScoped, publicElsewhere };
}
