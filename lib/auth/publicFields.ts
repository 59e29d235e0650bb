// FinGraph's `@public(reason: String!)`: a field that needs no scope on purpose. Deny by default means a root field,
// or a field one subgraph adds to another's entity, must carry a scope requirement; this directive is the one way to
// say "none, and here is why", so an open field is always a decision someone wrote down, never an omission. Like
// @stepUp it is composed into the supergraph with @composeDirective, so the gateway reads it there.
import { type DocumentNode, Kind } from 'graphql';
import { linkedDirectiveNames, RequirementsError } from './requirements.js';

export const PUBLIC_SPEC = 'https://specs.fingraph.dev/public/v0.1';

/** "Type.field" → the reason the schema gives for serving it without a scope. */
export type PublicFields = ReadonlyMap<string, string>;

export function readPublicFields(document: DocumentNode): PublicFields {
  const names = linkedDirectiveNames(document, PUBLIC_SPEC, 'public');
  const fields = new Map<string, string>();
  for (const definition of document.definitions) {
    if (!('fields' in definition) || !definition.fields || !('name' in definition) || !definition.name) continue;
    for (const field of definition.fields) {
      if (field.kind !== Kind.FIELD_DEFINITION) continue;
      const coordinate = `${definition.name.value}.${field.name.value}`;
      for (const directive of field.directives ?? []) {
        if (!names.has(directive.name.value)) continue;
        const reason = directive.arguments?.find((arg) => arg.name.value === 'reason')?.value;
        // The reason is what a reviewer reads; an empty one would make the mark an omission again.
        if (reason?.kind !== Kind.STRING || reason.value.trim() === '') {
          throw new RequirementsError(`${coordinate}: @public needs a non-empty reason`);
        }
        fields.set(coordinate, reason.value);
      }
    }
  }
  return fields;
}
