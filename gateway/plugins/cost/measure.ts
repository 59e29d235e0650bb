// The cost of an operation, in cost units: estimated from the document before execution (list sizes from slicing
// arguments or assumed sizes), and actual after it (list sizes as the response holds them). Both walk the operation
// as graphql-js executes it: fields merge by response key, a fragment spread twice at one place counts once,
// @include/@skip are judged on the operation's variables. The rules are in the README's "Demand control".
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import type { CostRules, ListSizeRule } from './rules.js';

export interface MeasureInput {
  readonly schema: GraphQLSchema;
  readonly rules: CostRules;
  readonly document: DocumentNode;
  readonly operationName?: string | null | undefined;
  /** The operation's variables, coerced (defaults applied), as execution will see them. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** Told when a response holds a list longer than its assumed size: the estimate undercharged, and the schema's size is wrong. */
  readonly onOverAssumedSize?: (coordinate: string, length: number, assumedSize: number) => void;
}

/** A cost beyond any maximum; keeps a fragment bomb's product a finite, printable number. */
const CEILING = Number.MAX_SAFE_INTEGER;
const bounded = (cost: number) => (Number.isFinite(cost) ? Math.min(cost, CEILING) : CEILING);

type Data = Readonly<Record<string, unknown>>;

class Measurer {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly ids = new WeakMap<SelectionSetNode, number>();
  private nextId = 0;
  private readonly memo = new Map<string, number>();

  constructor(private readonly input: MeasureInput) {
    for (const definition of input.document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
  }

  root(): { type: GraphQLObjectType; sets: SelectionSetNode[] } | undefined {
    const operation = getOperationAST(this.input.document, this.input.operationName ?? undefined);
    const type = operation ? this.input.schema.getRootType(operation.operation) : undefined;
    return operation && type ? { type, sets: [operation.selectionSet] } : undefined;
  }

  /** What the estimate charges before execution. */
  estimate(type: GraphQLCompositeType, sets: readonly SelectionSetNode[], sized?: ReadonlyMap<string, number>): number {
    // An abstract type is charged as its most expensive possible type.
    if (isAbstractType(type)) {
      return Math.max(0, ...this.input.schema.getPossibleTypes(type).map((possible) => this.estimate(possible, sets, sized)));
    }
    // Memoised by the selection sets' identities: a fragment spread at many places (a fragment bomb) is walked once per
    // type, so estimating costs time linear in the document however large the product it computes.
    const key = `${type.name}|${sets.map((set) => this.idOf(set)).join(',')}|${sized ? [...sized].join(',') : ''}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    let cost = 0;
    for (const nodes of this.collect(type, sets).values()) cost = bounded(cost + this.estimateField(type, nodes, sized));
    this.memo.set(key, cost);
    return cost;
  }

  /** What the response shows was resolved: each field present in it, each list at its returned length. */
  actual(type: GraphQLCompositeType, sets: readonly SelectionSetNode[], data: Data): number {
    if (isAbstractType(type)) {
      const named = typeof data.__typename === 'string' ? this.input.schema.getType(data.__typename) : undefined;
      if (isObjectType(named)) return this.actual(named, sets, data);
      return Math.max(0, ...this.input.schema.getPossibleTypes(type).map((possible) => this.actual(possible, sets, data)));
    }
    let cost = 0;
    for (const [key, nodes] of this.collect(type, sets)) {
      if (!(key in data)) continue;
      const field = this.fieldOf(type, nodes);
      if (!field) continue;
      const named = getNamedType(field.type);
      const value = data[key];
      cost += this.fieldWeight(type, field);
      if (value === null || value === undefined) continue;
      const items = Array.isArray(value) ? value : [value];
      const assumed = this.input.rules.listSizes.get(`${type.name}.${field.name}`);
      if (Array.isArray(value) && assumed?.slicingArguments.length === 0 && value.length > (assumed.assumedSize ?? 0)) {
        this.input.onOverAssumedSize?.(`${type.name}.${field.name}`, value.length, assumed.assumedSize ?? 0);
      }
      for (const item of items) {
        if (item === null || item === undefined) continue;
        if (Array.isArray(value)) cost += this.typeWeight(named);
        if (isCompositeType(named) && typeof item === 'object') cost += this.actual(named, subSelections(nodes), item as Data);
      }
      cost = bounded(cost);
    }
    return cost;
  }

  private estimateField(parent: GraphQLObjectType, nodes: readonly FieldNode[], sized: ReadonlyMap<string, number> | undefined): number {
    const field = this.fieldOf(parent, nodes);
    const node = nodes[0];
    if (!field || !node) return 0;
    const named = getNamedType(field.type);
    const rule = this.input.rules.listSizes.get(`${parent.name}.${field.name}`);
    let size = sized?.get(field.name);
    let childSizes: Map<string, number> | undefined;
    if (rule) {
      const ruled = this.sizeFrom(rule, field, node);
      if (rule.sizedFields.length > 0) childSizes = new Map(rule.sizedFields.map((name) => [name, ruled]));
      else size ??= ruled;
    }
    const own = this.fieldWeight(parent, field);
    const children = isCompositeType(named) ? this.estimate(named, subSelections(nodes), childSizes) : 0;
    if (!isListType(getNullableType(field.type))) return bounded(own + children);
    // A list no rule sizes cannot be served (findUnsizedLists refuses the supergraph); 1 keeps a test schema usable.
    return bounded(own + (size ?? 1) * (this.typeWeight(named) + children));
  }

  /** The largest slicing argument given (defaults applied), else the assumed size. */
  private sizeFrom(rule: ListSizeRule, field: GraphQLField<unknown, unknown>, node: FieldNode): number {
    let values: Record<string, unknown> = {};
    try {
      values = getArgumentValues(field, node, this.input.variables);
    } catch {
      // Invalid arguments: execution refuses them before anything is resolved; the assumed size stands in until then.
    }
    const given = rule.slicingArguments.map((name) => values[name]).filter((value): value is number => typeof value === 'number');
    if (given.length > 0) return Math.max(0, ...given);
    return rule.assumedSize ?? 0;
  }

  /**
   * A field's own weight: its @cost, else its object type's @cost, else 1 for an object and 0 for a leaf. A list field
   * weighs 0 of its own unless it has a @cost (an upstream call made once per parent); its elements pay their type's
   * weight each.
   */
  private fieldWeight(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>): number {
    const declared = this.input.rules.fieldWeights.get(`${parent.name}.${field.name}`);
    if (declared !== undefined) return declared;
    return isListType(getNullableType(field.type)) ? 0 : this.typeWeight(getNamedType(field.type));
  }

  private typeWeight(type: GraphQLNamedType): number {
    return this.input.rules.typeWeights.get(type.name) ?? (isCompositeType(type) ? 1 : 0);
  }

  /** The schema field the merged nodes ask for; none for introspection (__typename, __schema, __type: free, served here). */
  private fieldOf(parent: GraphQLObjectType, nodes: readonly FieldNode[]): GraphQLField<unknown, unknown> | undefined {
    const name = nodes[0]?.name.value;
    if (!name || name.startsWith('__')) return undefined;
    return parent.getFields()[name];
  }

  /** graphql-js's CollectFields: fields by response key, each fragment once per level, @skip/@include applied. */
  private collect(type: GraphQLObjectType, sets: readonly SelectionSetNode[]): Map<string, FieldNode[]> {
    const fields = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    const walk = (set: SelectionSetNode) => {
      for (const selection of set.selections) {
        if (!this.included(selection)) continue;
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          fields.set(key, [...(fields.get(key) ?? []), selection]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (this.applies(selection.typeCondition?.name.value, type)) walk(selection.selectionSet);
        } else {
          const name = selection.name.value;
          const fragment = this.fragments.get(name);
          if (visited.has(name) || !fragment) continue;
          visited.add(name);
          if (this.applies(fragment.typeCondition.name.value, type)) walk(fragment.selectionSet);
        }
      }
    };
    for (const set of sets) walk(set);
    return fields;
  }

  private included(node: Parameters<typeof getDirectiveValues>[1]): boolean {
    const skip = getDirectiveValues(GraphQLSkipDirective, node, this.input.variables);
    if (skip?.if === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, this.input.variables);
    return include?.if !== false;
  }

  private applies(condition: string | undefined, type: GraphQLObjectType): boolean {
    if (!condition) return true;
    const conditionType = this.input.schema.getType(condition);
    if (conditionType === type) return true;
    return isAbstractType(conditionType) && this.input.schema.isSubType(conditionType, type);
  }

  private idOf(set: SelectionSetNode): number {
    let id = this.ids.get(set);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(set, id);
    }
    return id;
  }
}

function subSelections(nodes: readonly FieldNode[]): SelectionSetNode[] {
  return nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
}

/** The operation's estimated cost: what it may cost if every list is as long as its slicing argument or assumed size allows. */
export function estimateCost(input: MeasureInput): number {
  const measurer = new Measurer(input);
  const root = measurer.root();
  return root ? measurer.estimate(root.type, root.sets) : 0;
}

/** The operation's actual cost, from the data its response holds. */
export function actualCost(input: MeasureInput & { readonly data: Data | null | undefined }): number {
  const measurer = new Measurer(input);
  const root = measurer.root();
  return root && input.data ? measurer.actual(root.type, root.sets, input.data) : 0;
}
