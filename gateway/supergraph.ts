// The one place where the composed supergraph becomes what the gateway serves. Composition links the
// authenticated and requiresScopes specs `for: SECURITY`, which @apollo/gateway refuses ("feature … is for: SECURITY
// but is unsupported") and whose directives its API schema drops. So the access rules are read here first, the
// `for: SECURITY` purpose is then removed from exactly those two links, and the gateway is handed the result. This
// fails closed: no rules read, a security feature FinGraph does not enforce, or a field left open by omission (deny
// by default, ./denyByDefault.ts), and the gateway does not start. The demand-control rules (@cost, @listSize) are read
// here too, for the same reason, and a list no rule sizes stops the start the same way.
import { Supergraph } from '@apollo/federation-internals';
import {
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  print,
  visit,
} from 'graphql';
import { type PublicFields, readPublicFields } from '../lib/auth/publicFields.js';
import {
  type AccessRules,
  AUTHENTICATED_SPEC,
  REQUIRES_SCOPES_SPEC,
  RequirementsError,
  readAccessRules,
  ruleCount,
} from '../lib/auth/requirements.js';
import { findDenyByDefaultViolations } from './denyByDefault.js';
import { type CostRules, CostRulesError, findUnsizedLists, readCostRules } from './plugins/cost/rules.js';

export interface PreparedSupergraph {
  /** The SDL handed to @apollo/gateway: the composed one with `for: SECURITY` removed from the two enforced links. */
  readonly servedSdl: string;
  /** The access rules, read before anything was removed. */
  readonly rules: AccessRules;
  /** The fields marked `@public(reason:)`: served to any authenticated principal without a scope, on purpose. */
  readonly publicFields: PublicFields;
  readonly apiSchema: GraphQLSchema;
  /** Demand control's weights and list sizes (@cost, @listSize), read like the access rules. */
  readonly costRules: CostRules;
}

export class SupergraphSecurityError extends Error {
  constructor(message: string) {
    super(`supergraph refused: ${message}`);
    this.name = 'SupergraphSecurityError';
  }
}

const enforced = [AUTHENTICATED_SPEC, REQUIRES_SCOPES_SPEC];

function stripEnforcedPurposes(document: DocumentNode): { document: DocumentNode; stripped: number } {
  let stripped = 0;
  const result = visit(document, {
    Directive(node) {
      if (node.name.value !== 'link') return undefined;
      const url = node.arguments?.find((arg) => arg.name.value === 'url')?.value;
      const purpose = node.arguments?.find((arg) => arg.name.value === 'for')?.value;
      if (purpose?.kind !== Kind.ENUM || purpose.value !== 'SECURITY') return undefined;
      if (url?.kind !== Kind.STRING || !enforced.includes(url.value)) {
        throw new SupergraphSecurityError(
          `it links ${url?.kind === Kind.STRING ? url.value : 'a feature'} for: SECURITY, which FinGraph does not enforce`,
        );
      }
      stripped += 1;
      return { ...node, arguments: node.arguments?.filter((arg) => arg.name.value !== 'for') };
    },
  });
  return { document: result, stripped };
}

/**
 * Every subgraph must declare rules of its own: a subgraph whose `@requiresScopes` / `@authenticated` were all lost
 * (an edited schema file, a composition gone wrong) would otherwise be served open beside the others that kept theirs.
 * A field belongs to the graphs its `@join__field` names, or else to those of its type's `@join__type`. Each subgraph's
 * schema is also refused by the subgraph itself when it declares no rule (lib/subgraph/startSubgraph.ts).
 */
function graphsWithoutRules(document: DocumentNode): string[] {
  const graphArg = (directive: ConstDirectiveNode) => {
    const value = directive.arguments?.find((arg) => arg.name.value === 'graph')?.value;
    return value?.kind === Kind.ENUM ? value.value : undefined;
  };
  const protects = (directives: readonly ConstDirectiveNode[] | undefined) =>
    (directives ?? []).some((directive) => directive.name.value === 'requiresScopes' || directive.name.value === 'authenticated');
  const graphs = new Set<string>();
  const protectedGraphs = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph') {
      for (const value of definition.values ?? []) graphs.add(value.name.value);
    }
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const typeGraphs = (definition.directives ?? [])
      .filter((directive) => directive.name.value === 'join__type')
      .flatMap((directive) => graphArg(directive) ?? []);
    // A rule on a type joined by several graphs (`Query`, `Mutation`, a shared entity) was declared by one of them, and
    // the supergraph does not say which: it counts for none. A type of one graph's own counts for that graph.
    const typeProtected = protects(definition.directives) && typeGraphs.length === 1;
    for (const field of definition.fields ?? []) {
      if (!typeProtected && !protects(field.directives)) continue;
      const fieldGraphs = (field.directives ?? [])
        .filter((directive) => directive.name.value === 'join__field')
        .flatMap((directive) => graphArg(directive) ?? []);
      for (const graph of fieldGraphs.length > 0 ? fieldGraphs : typeGraphs) protectedGraphs.add(graph);
    }
  }
  return [...graphs].filter((graph) => !protectedGraphs.has(graph));
}

/** A field that a principal may be refused (scopes or step-up) must be nullable, so that refusing it nulls that field alone. */
function assertRefusableFieldsNullable(schema: GraphQLSchema, rules: AccessRules): void {
  const offenders: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(isObjectType(type) || isInterfaceType(type)) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const own = rules.fields.get(`${type.name}.${field.name}`);
      const returned = rules.types.get(getNamedType(field.type).name);
      const scoped = (own?.scopes.length ?? 0) + (returned?.scopes.length ?? 0) > 0 || Boolean(own?.stepUp || returned?.stepUp);
      if (scoped && isNonNullType(field.type)) offenders.push(`${type.name}.${field.name}`);
    }
  }
  if (offenders.length > 0) throw new SupergraphSecurityError(`fields that need scopes must be nullable: ${offenders.join(', ')}`);
}

/** A rule that cannot be read (a malformed scope list, a @public without its reason) refuses the supergraph like any other fault. */
function readRules<T>(composed: DocumentNode, read: (document: DocumentNode) => T): T {
  try {
    return read(composed);
  } catch (error) {
    if (error instanceof RequirementsError) throw new SupergraphSecurityError(error.message);
    throw error;
  }
}

/** Deny by default (gateway/denyByDefault.ts): every finding is named at once, so one start-up shows every fix to make. */
function assertDeniedByDefault(composed: DocumentNode, apiSchema: GraphQLSchema, rules: AccessRules, publicFields: PublicFields): void {
  const findings = findDenyByDefaultViolations(composed, apiSchema, rules, publicFields);
  const problems: string[] = [];
  if (findings.unscoped.length > 0) {
    problems.push(
      `fields with no scope requirement, neither their own nor their type's (deny by default: give each @requiresScopes, or mark it @public(reason: "…") if it is open on purpose): ${findings.unscoped
        .map((field) => `${field.coordinate} (subgraph ${field.subgraphs.join(', ')})`)
        .join(', ')}`,
    );
  }
  if (findings.publicButScoped.length > 0) {
    problems.push(`fields marked @public that need scopes (drop one or the other): ${findings.publicButScoped.join(', ')}`);
  }
  if (findings.publicElsewhere.length > 0) {
    problems.push(`@public only marks root fields and fields added to a shared entity, not: ${findings.publicElsewhere.join(', ')}`);
  }
  if (problems.length > 0) throw new SupergraphSecurityError(problems.join('; '));
}

/** Demand control fails closed like the access rules: an unreadable @cost or @listSize, or an unsized list, stops the start. */
function readCostRulesOrRefuse(composed: DocumentNode, apiSchema: GraphQLSchema): CostRules {
  let costRules: CostRules;
  try {
    costRules = readCostRules(composed);
  } catch (error) {
    if (error instanceof CostRulesError) throw new SupergraphSecurityError(error.message);
    throw error;
  }
  const unsized = findUnsizedLists(apiSchema, costRules);
  if (unsized.length > 0) throw new SupergraphSecurityError(`lists whose length nothing bounds: ${unsized.join('; ')}`);
  return costRules;
}

export function prepareSupergraph(sdl: string): PreparedSupergraph {
  const composed = parse(sdl);
  const rules = readRules(composed, readAccessRules);
  const { document, stripped } = stripEnforcedPurposes(composed);
  // A step-up alone protects nothing: a supergraph whose @authenticated / @requiresScopes were lost must not serve.
  const scopedOrAuthenticated = [...rules.types.values(), ...rules.fields.values()].filter(
    (rule) => rule.scopes.length > 0 || (rule.authenticated && !rule.stepUp),
  ).length;
  if (stripped === 0 || ruleCount(rules) === 0 || scopedOrAuthenticated === 0) {
    throw new SupergraphSecurityError('it declares no access rules (@authenticated / @requiresScopes); refusing to serve unprotected');
  }
  const unprotected = graphsWithoutRules(composed);
  if (unprotected.length > 0) {
    throw new SupergraphSecurityError(
      `subgraph ${unprotected.join(', ')} declares no access rules (@authenticated / @requiresScopes); refusing to serve it unprotected`,
    );
  }
  const servedSdl = print(document);
  const apiSchema = Supergraph.build(servedSdl).apiSchema().toGraphQLJSSchema();
  assertRefusableFieldsNullable(apiSchema, rules);
  const publicFields = readRules(composed, readPublicFields);
  assertDeniedByDefault(composed, apiSchema, rules, publicFields);
  const costRules = readCostRulesOrRefuse(composed, apiSchema);
  return { servedSdl, rules, publicFields, apiSchema, costRules };
}
