// Demand-control rules as the supergraph declares them with Federation's @cost and @listSize (linked from
// https://specs.apollo.dev/cost/v0.1 by composition), read from the composed document because the API schema the
// gateway serves drops both directives, as gateway/supergraph.ts reads the access rules. Every list must be sized:
// `findUnsizedLists` names each list field whose length no rule bounds, and the gateway refuses to start on any.
import {
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
} from 'graphql';
import { linkedDirectiveNames } from '../../../lib/auth/requirements.js';

export const COST_SPEC = 'https://specs.apollo.dev/cost/v0.1';

/** One field's @listSize: how long the list it returns (or the lists `sizedFields` names on what it returns) can be. */
export interface ListSizeRule {
  /** The length assumed when no slicing argument gives one: for a list the caller cannot make grow. */
  readonly assumedSize: number | undefined;
  /** Arguments whose value is the length (the largest given, if several). */
  readonly slicingArguments: readonly string[];
  /** Lists on the returned type that the size applies to (a connection's `edges`), instead of this field itself. */
  readonly sizedFields: readonly string[];
  readonly requireOneSlicingArgument: boolean;
}

export interface CostRules {
  /** @cost weights on fields, by "Type.field". */
  readonly fieldWeights: ReadonlyMap<string, number>;
  /** @cost weights on object types, by type name: the cost of each object of that type a field returns. */
  readonly typeWeights: ReadonlyMap<string, number>;
  /** @listSize, by "Type.field". */
  readonly listSizes: ReadonlyMap<string, ListSizeRule>;
}

export class CostRulesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostRulesError';
  }
}

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((arg) => arg.name.value === name)?.value;
}

function nonNegativeInt(value: ConstValueNode | undefined, where: string): number | undefined {
  if (value === undefined || value.kind === Kind.NULL) return undefined;
  if (value.kind !== Kind.INT || Number(value.value) < 0) throw new CostRulesError(`${where}: expected a non-negative integer`);
  return Number(value.value);
}

function stringList(value: ConstValueNode | undefined, where: string): string[] {
  if (value === undefined || value.kind === Kind.NULL) return [];
  const values = value.kind === Kind.LIST ? value.values : [value];
  return values.map((entry) => {
    if (entry.kind !== Kind.STRING || entry.value === '') throw new CostRulesError(`${where}: expected a list of names`);
    return entry.value;
  });
}

function listSizeFrom(directive: ConstDirectiveNode, where: string): ListSizeRule {
  const required = argument(directive, 'requireOneSlicingArgument');
  if (required !== undefined && required.kind !== Kind.BOOLEAN)
    throw new CostRulesError(`${where}: requireOneSlicingArgument must be a Boolean`);
  return {
    assumedSize: nonNegativeInt(argument(directive, 'assumedSize'), `${where} @listSize(assumedSize:)`),
    slicingArguments: stringList(argument(directive, 'slicingArguments'), `${where} @listSize(slicingArguments:)`),
    sizedFields: stringList(argument(directive, 'sizedFields'), `${where} @listSize(sizedFields:)`),
    // The spec's default is true.
    requireOneSlicingArgument: required?.kind === Kind.BOOLEAN ? required.value : true,
  };
}

/**
 * Reads @cost on fields and object types and @listSize on fields. A @cost anywhere else (an argument, an input field,
 * a scalar, an enum) is refused rather than ignored: a weight the estimator would not charge must not look declared.
 */
export function readCostRules(document: DocumentNode): CostRules {
  const costNames = linkedDirectiveNames(document, COST_SPEC, 'cost');
  const listSizeNames = linkedDirectiveNames(document, COST_SPEC, 'listSize');
  const fieldWeights = new Map<string, number>();
  const typeWeights = new Map<string, number>();
  const listSizes = new Map<string, ListSizeRule>();
  const weightOf = (directive: ConstDirectiveNode, where: string): number => {
    const weight = nonNegativeInt(argument(directive, 'weight'), `${where} @cost(weight:)`);
    if (weight === undefined) throw new CostRulesError(`${where}: @cost without a weight`);
    return weight;
  };
  const misplaced = (directives: readonly ConstDirectiveNode[] | undefined, where: string) => {
    if ((directives ?? []).some((directive) => costNames.has(directive.name.value) || listSizeNames.has(directive.name.value))) {
      throw new CostRulesError(`${where}: @cost and @listSize are read on fields and object types only`);
    }
  };
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name) continue;
    const typeName = definition.name.value;
    const isObject = definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION;
    const isInterface = definition.kind === Kind.INTERFACE_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_EXTENSION;
    if (definition.kind === Kind.DIRECTIVE_DEFINITION) continue;
    const typeDirectives = 'directives' in definition ? (definition.directives as readonly ConstDirectiveNode[] | undefined) : undefined;
    for (const directive of typeDirectives ?? []) {
      if (isObject && costNames.has(directive.name.value)) typeWeights.set(typeName, weightOf(directive, typeName));
      else if (costNames.has(directive.name.value) || listSizeNames.has(directive.name.value)) {
        throw new CostRulesError(`${typeName}: @cost and @listSize are read on fields and object types only`);
      }
    }
    if ('values' in definition) for (const value of definition.values ?? []) misplaced(value.directives, `${typeName}.${value.name.value}`);
    if (!('fields' in definition) || !definition.fields) continue;
    for (const field of definition.fields) {
      const coordinate = `${typeName}.${field.name.value}`;
      if (!(isObject || isInterface)) {
        misplaced(field.directives, coordinate);
        continue;
      }
      if (field.kind === Kind.FIELD_DEFINITION) {
        for (const arg of field.arguments ?? []) misplaced(arg.directives, `${coordinate}(${arg.name.value}:)`);
      }
      for (const directive of field.directives ?? []) {
        if (costNames.has(directive.name.value)) fieldWeights.set(coordinate, weightOf(directive, coordinate));
        if (listSizeNames.has(directive.name.value)) listSizes.set(coordinate, listSizeFrom(directive, coordinate));
      }
    }
  }
  return { fieldWeights, typeWeights, listSizes };
}

const isList = (field: GraphQLField<unknown, unknown>) => isListType(getNullableType(field.type));

/** What is wrong with one @listSize against the schema's field, if anything. */
function listSizeProblem(coordinate: string, field: GraphQLField<unknown, unknown>, rule: ListSizeRule): string | undefined {
  for (const name of rule.slicingArguments) {
    const arg = field.args.find((candidate) => candidate.name === name);
    if (!arg) return `${coordinate}: slicing argument ${name} is not an argument of the field`;
    if (getNamedType(arg.type).name !== 'Int' || isListType(getNullableType(arg.type)))
      return `${coordinate}: slicing argument ${name} is not an Int`;
    // Without a value the size would be unknown: the argument must always have one, or the rule an assumed size.
    if (!isNonNullType(arg.type) && arg.defaultValue === undefined && rule.assumedSize === undefined) {
      return `${coordinate}: slicing argument ${name} may be left out, and there is no default or assumedSize to size the list then`;
    }
  }
  if (rule.slicingArguments.length === 0 && rule.assumedSize === undefined)
    return `${coordinate}: @listSize gives neither slicingArguments nor assumedSize`;
  if (rule.sizedFields.length > 0) {
    const returned = getNamedType(field.type);
    if (!(isObjectType(returned) || isInterfaceType(returned))) return `${coordinate}: sizedFields on a field that returns no object`;
    for (const name of rule.sizedFields) {
      const sized = returned.getFields()[name];
      if (!sized || !isList(sized)) return `${coordinate}: sized field ${name} is not a list field of ${returned.name}`;
    }
  } else if (!isList(field)) {
    return `${coordinate}: @listSize on a field that returns no list`;
  }
  return undefined;
}

/**
 * Every list field of the served schema whose length nothing bounds, and every @listSize that does not make sense, as
 * one message each. A list is bounded by its own @listSize, or by the `sizedFields` of every field that returns its
 * type (a connection's `edges`, sized by the `first` of the field returning the connection).
 */
export function findUnsizedLists(schema: GraphQLSchema, rules: CostRules): string[] {
  const problems: string[] = [];
  const types = Object.values(schema.getTypeMap()).filter(
    (type) => (isObjectType(type) || isInterfaceType(type)) && !type.name.startsWith('__'),
  );
  /** "Type.list" → how many fields return Type, and how many of them size that list. */
  const returning = new Map<string, number>();
  const sizing = new Map<string, number>();
  for (const type of types) {
    if (!(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const rule = rules.listSizes.get(coordinate);
      if (rule) {
        const problem = listSizeProblem(coordinate, field, rule);
        if (problem) problems.push(problem);
      }
      const returned = getNamedType(field.type);
      if (!(isObjectType(returned) || isInterfaceType(returned))) continue;
      for (const inner of Object.values(returned.getFields())) {
        const key = `${returned.name}.${inner.name}`;
        returning.set(key, (returning.get(key) ?? 0) + 1);
        if (!isList(field) && rule?.sizedFields.includes(inner.name)) sizing.set(key, (sizing.get(key) ?? 0) + 1);
      }
    }
  }
  for (const type of types) {
    if (!(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (!isList(field) || rules.listSizes.has(coordinate)) continue;
      const sizedBy = sizing.get(coordinate) ?? 0;
      if (sizedBy > 0 && sizedBy === returning.get(coordinate)) continue;
      problems.push(
        `${coordinate} is a list with no @listSize (give it slicingArguments: ["first"] with a maximum the subgraph enforces, or assumedSize if the caller cannot make it grow)`,
      );
    }
  }
  return problems;
}
