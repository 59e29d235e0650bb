// Counts how many times an operation asks for a guarded field (initiatePayment, creditReport): each field, wherever it
// is written (aliases, fragments, inline fragments), times the page sizes (`first`) of the lists above it, since
// `customers(first: 50) { edges { node { creditReport(…) } } }` is fifty bureau pulls, not one. A fragment is counted
// once and scaled where it is spread, so the walk is linear in the document however often fragments are reused.
import type { FragmentDefinitionNode, OperationDefinitionNode, SelectionSetNode, ValueNode } from 'graphql';

export interface FieldCountInput {
  readonly operation: OperationDefinitionNode;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly variables: Readonly<Record<string, unknown>>;
  /** Field names to count (the name, not the alias). */
  readonly names: readonly string[];
}

function pageSize(value: ValueNode | undefined, input: FieldCountInput, defaults: ReadonlyMap<string, ValueNode>): number {
  if (!value) return 1;
  if (value.kind === 'IntValue') return Math.max(1, Number(value.value));
  if (value.kind === 'Variable') {
    const given = input.variables[value.name.value];
    if (typeof given === 'number' && Number.isFinite(given)) return Math.max(1, given);
    return pageSize(defaults.get(value.name.value), input, new Map());
  }
  return 1;
}

/** Per name, how many times the operation would resolve it at most. */
export function countFields(input: FieldCountInput): Map<string, number> {
  const defaults = new Map<string, ValueNode>();
  for (const definition of input.operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
  }
  const memo = new Map<string, Map<string, number>>();
  const visiting = new Set<string>();

  const add = (into: Map<string, number>, from: ReadonlyMap<string, number>, factor: number) => {
    for (const [name, count] of from) into.set(name, (into.get(name) ?? 0) + count * factor);
  };

  const walk = (selectionSet: SelectionSetNode): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const selection of selectionSet.selections) {
      if (selection.kind === 'Field') {
        if (input.names.includes(selection.name.value)) counts.set(selection.name.value, (counts.get(selection.name.value) ?? 0) + 1);
        if (selection.selectionSet) {
          const first = selection.arguments?.find((argument) => argument.name.value === 'first');
          add(counts, walk(selection.selectionSet), pageSize(first?.value, input, defaults));
        }
      } else if (selection.kind === 'InlineFragment') {
        add(counts, walk(selection.selectionSet), 1);
      } else {
        const name = selection.name.value;
        const fragment = input.fragments.get(name);
        // Validation refuses cycles and unknown fragments before this runs; the guard only keeps a bug from looping.
        if (!fragment || visiting.has(name)) continue;
        let counted = memo.get(name);
        if (!counted) {
          visiting.add(name);
          counted = walk(fragment.selectionSet);
          visiting.delete(name);
          memo.set(name, counted);
        }
        add(counts, counted, 1);
      }
    }
    return counts;
  };
  return walk(input.operation.selectionSet);
}
