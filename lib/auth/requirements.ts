// Field-level access rules as the schema declares them with Federation 2's @authenticated and @requiresScopes, and
// FinGraph's own @stepUp (a second authentication factor, composed into the supergraph with @composeDirective), read
// from a schema document (a subgraph's schema.graphql or the composed supergraph). The same reading serves the gateway
// (which enforces before planning) and every subgraph (which enforces again on its resolvers).
import { type ConstArgumentNode, type ConstDirectiveNode, type ConstValueNode, type DocumentNode, Kind } from 'graphql';
import type { Principal } from './principal.js';

export const AUTHENTICATED_SPEC = 'https://specs.apollo.dev/authenticated/v0.1';
export const REQUIRES_SCOPES_SPEC = 'https://specs.apollo.dev/requiresScopes/v0.1';
export const STEP_UP_SPEC = 'https://specs.fingraph.dev/stepUp/v0.1';

/** RFC 8176 methods that count as a second factor for step-up (the contract's list). */
export const SECOND_FACTORS: readonly string[] = ['otp', 'mfa', 'hwk', 'sms'];

/** What one type or field needs. `scopes` is a list of requirements that all apply; each is an OR of AND-sets. */
export interface Requirement {
  readonly authenticated: boolean;
  readonly scopes: ReadonlyArray<ReadonlyArray<ReadonlyArray<string>>>;
  /** A second factor must be in the token's `amr`. */
  readonly stepUp: boolean;
}

export interface AccessRules {
  /** Requirements declared on types (object, interface, scalar, enum), by type name. */
  readonly types: ReadonlyMap<string, Requirement>;
  /** Requirements declared on fields, by "Type.field". */
  readonly fields: ReadonlyMap<string, Requirement>;
}

export class RequirementsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequirementsError';
  }
}

function stringListList(value: ConstValueNode, where: string): string[][] {
  if (value.kind !== Kind.LIST) throw new RequirementsError(`${where}: scopes must be a list of lists`);
  return value.values.map((inner) => {
    if (inner.kind !== Kind.LIST) throw new RequirementsError(`${where}: scopes must be a list of lists`);
    return inner.values.map((scope) => {
      if (scope.kind !== Kind.STRING || scope.value === '') throw new RequirementsError(`${where}: each scope must be a non-empty string`);
      return scope.value;
    });
  });
}

/**
 * The local names of the directive a spec defines: its default, or what a `@link(url:, as:)` renamed it to. Shared
 * with lib/auth/publicFields.ts, so every FinGraph directive is found the same way.
 */
export function linkedDirectiveNames(document: DocumentNode, spec: string, defaultName: string): Set<string> {
  const names = new Set([defaultName]);
  const family = spec.replace(/v\d+\.\d+$/, '');
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const argument = (name: string) => directive.arguments?.find((arg: ConstArgumentNode) => arg.name.value === name)?.value;
      const url = argument('url');
      const alias = argument('as');
      if (url?.kind === Kind.STRING && alias?.kind === Kind.STRING && url.value.startsWith(family)) names.add(alias.value);
    }
  }
  return names;
}

/** The local names of the three directives. */
function directiveNames(document: DocumentNode): { authenticated: Set<string>; requiresScopes: Set<string>; stepUp: Set<string> } {
  return {
    authenticated: linkedDirectiveNames(document, AUTHENTICATED_SPEC, 'authenticated'),
    requiresScopes: linkedDirectiveNames(document, REQUIRES_SCOPES_SPEC, 'requiresScopes'),
    stepUp: linkedDirectiveNames(document, STEP_UP_SPEC, 'stepUp'),
  };
}

function requirementFrom(
  directives: readonly ConstDirectiveNode[] | undefined,
  names: ReturnType<typeof directiveNames>,
  where: string,
): Requirement | undefined {
  let authenticated = false;
  let stepUp = false;
  const scopes: string[][][] = [];
  for (const directive of directives ?? []) {
    const name = directive.name.value.replace(/^@/, '');
    if (names.authenticated.has(name)) authenticated = true;
    if (names.stepUp.has(name)) stepUp = true;
    if (names.requiresScopes.has(name)) {
      const value = directive.arguments?.find((arg) => arg.name.value === 'scopes')?.value;
      if (!value) throw new RequirementsError(`${where}: @requiresScopes without scopes`);
      scopes.push(stringListList(value, where));
    }
  }
  return authenticated || stepUp || scopes.length > 0 ? { authenticated: true, scopes, stepUp } : undefined;
}

/**
 * Every rule that applies at once, as one: all their scope requirements, authentication and step-up if any asks for
 * them. The one way rules are merged, by the schema reader, the gateway's filter and the subgraphs' own check alike.
 */
export function combineRequirements(parts: ReadonlyArray<Requirement | undefined>): Requirement | undefined {
  const present = parts.filter((part): part is Requirement => part !== undefined);
  if (present.length === 0) return undefined;
  return {
    authenticated: present.some((part) => part.authenticated),
    scopes: present.flatMap((part) => part.scopes),
    stepUp: present.some((part) => part.stepUp),
  };
}

const typeKinds = new Set<string>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.OBJECT_TYPE_EXTENSION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_EXTENSION,
  Kind.SCALAR_TYPE_DEFINITION,
  Kind.SCALAR_TYPE_EXTENSION,
  Kind.ENUM_TYPE_DEFINITION,
  Kind.ENUM_TYPE_EXTENSION,
]);

export function readAccessRules(document: DocumentNode): AccessRules {
  const names = directiveNames(document);
  const types = new Map<string, Requirement>();
  const fields = new Map<string, Requirement>();
  for (const definition of document.definitions) {
    if (!typeKinds.has(definition.kind) || !('name' in definition) || !definition.name) continue;
    const typeName = definition.name.value;
    const own = requirementFrom(
      'directives' in definition ? (definition.directives as readonly ConstDirectiveNode[]) : undefined,
      names,
      typeName,
    );
    if (own) types.set(typeName, combineRequirements([types.get(typeName), own]) ?? own);
    if (!('fields' in definition) || !definition.fields) continue;
    for (const field of definition.fields) {
      if (field.kind !== Kind.FIELD_DEFINITION) continue;
      const key = `${typeName}.${field.name.value}`;
      const requirement = requirementFrom(field.directives, names, key);
      if (requirement) fields.set(key, combineRequirements([fields.get(key), requirement]) ?? requirement);
    }
  }
  return { types, fields };
}

export function ruleCount(rules: AccessRules): number {
  return rules.types.size + rules.fields.size;
}

export function hasScopesFor(principal: Principal, requirement: Requirement): boolean {
  return requirement.scopes.every((alternatives) => alternatives.some((set) => set.every((scope) => principal.scopes.includes(scope))));
}

export function hasSecondFactor(principal: Principal): boolean {
  return principal.amr.some((method) => SECOND_FACTORS.includes(method));
}

/** Why a principal fails a requirement, or undefined when it meets it. Missing scopes are reported before step-up. */
export function refusalReason(
  principal: Principal | undefined,
  requirement: Requirement | undefined,
): 'UNAUTHENTICATED' | 'MISSING_SCOPE' | 'STEP_UP_REQUIRED' | undefined {
  if (!requirement) return undefined;
  if (!principal) return 'UNAUTHENTICATED';
  if (!hasScopesFor(principal, requirement)) return 'MISSING_SCOPE';
  if (requirement.stepUp && !hasSecondFactor(principal)) return 'STEP_UP_REQUIRED';
  return undefined;
}

/** Whether the principal meets a requirement: its scopes, and a second factor where step-up is required. */
export function satisfies(principal: Principal | undefined, requirement: Requirement | undefined): boolean {
  return refusalReason(principal, requirement) === undefined;
}

/** The scopes a principal would need to add to meet a requirement (the smallest missing AND-set per requirement). */
export function missingScopes(principal: Principal | undefined, requirement: Requirement): string[] {
  const missing = new Set<string>();
  for (const alternatives of requirement.scopes) {
    const options = alternatives.map((set) => set.filter((scope) => !principal?.scopes.includes(scope)));
    const smallest = options.sort((a, b) => a.length - b.length)[0] ?? [];
    for (const scope of smallest) missing.add(scope);
  }
  return [...missing].sort();
}
