// Recognises a request that asks only for the schema (__schema, __type, __typename at the root of every operation),
// the one kind of request that may run without a token, and only where ALLOW_INTROSPECTION is on.
import { Kind, parse, type SelectionSetNode } from 'graphql';

function onlyMeta(selectionSet: SelectionSetNode): boolean {
  return selectionSet.selections.every((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__');
    if (selection.kind === Kind.INLINE_FRAGMENT) return onlyMeta(selection.selectionSet);
    return false; // a fragment spread could hide anything; such a client sends a token
  });
}

export function isIntrospectionOnly(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || typeof (body as { query?: unknown }).query !== 'string') return false;
  try {
    const document = parse((body as { query: string }).query);
    return document.definitions.every(
      (definition) =>
        definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'query' && onlyMeta(definition.selectionSet),
    );
  } catch {
    return false;
  }
}
