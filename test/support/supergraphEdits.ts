// The supergraph composed from the real subgraph schemas with one edit, and the refusal the gateway's loader gives it:
// how the deny-by-default and demand-control tests show that a rule or a size deleted from a schema stops the gateway.
import assert from 'node:assert/strict';
import { prepareSupergraph, SupergraphSecurityError } from '../../gateway/supergraph.js';
import { composeSupergraph, readSubgraphSchema } from '../../schema/compose.js';

/** One subgraph's schema with `search` replaced; it must occur exactly once, so an edit can never silently miss. */
export function editedSupergraph(subgraph: string, search: string, replacement: string): string {
  const composition = composeSupergraph((name) => {
    const text = readSubgraphSchema(name);
    if (name !== subgraph) return text;
    const parts = text.split(search);
    assert.equal(parts.length, 2, `${subgraph}'s schema holds ${JSON.stringify(search)} exactly once`);
    return parts.join(replacement);
  });
  assert.ok(composition.ok, composition.ok ? '' : composition.errors.join('\n'));
  return composition.supergraphSdl;
}

/** The message of the refusal prepareSupergraph throws; fails the test when it does not throw. */
export function supergraphRefusal(sdl: string): string {
  let caught: unknown;
  try {
    prepareSupergraph(sdl);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SupergraphSecurityError, `refused with a SupergraphSecurityError, got ${String(caught)}`);
  return caught.message;
}
