// Looking ahead in a query: whether the caller selected a field on the objects a resolver returns, so that the
// resolver can start the reads those fields will need sooner.
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

function inSelection(selectionSet: SelectionSetNode | undefined, name: string, info: GraphQLResolveInfo, depth: number): boolean {
  if (!selectionSet || depth > 8) return false;
  return selectionSet.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === name;
    if (selection.kind === Kind.INLINE_FRAGMENT) return inSelection(selection.selectionSet, name, info, depth + 1);
    return inSelection(info.fragments[selection.name.value]?.selectionSet, name, info, depth + 1);
  });
}

/** True when `name` is selected directly (or through fragments) on the value this field returns. */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some((node) => inSelection(node.selectionSet, name, info, 0));
}
