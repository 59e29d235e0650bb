// Composes the subgraphs' schema files into the supergraph with @apollo/composition.
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { fromRoot } from '../lib/config/paths.js';
import { subgraphs } from './subgraphs.js';

export const SUPERGRAPH_PATH = fromRoot('schema', 'supergraph.graphql');

export type Composition =
  | { readonly ok: true; readonly supergraphSdl: string }
  | { readonly ok: false; readonly errors: readonly string[] };

/** A subgraph's schema file, as committed. */
export function readSubgraphSchema(name: string): string {
  return readFileSync(fromRoot('subgraphs', name, 'schema.graphql'), 'utf8');
}

/**
 * `schemaOf` defaults to the committed files; tests pass an edited copy to show what the gateway does with the
 * supergraph such an edit would compose to, composed exactly as `npm run compose` composes it.
 */
export function composeSupergraph(schemaOf: (name: string) => string = readSubgraphSchema): Composition {
  const result = composeServices(
    subgraphs.map((subgraph) => ({
      name: subgraph.name,
      url: subgraph.defaultUrl,
      typeDefs: parse(schemaOf(subgraph.name)),
    })),
  );
  if (result.errors) {
    return { ok: false, errors: result.errors.map((error) => `${error.extensions.code ?? 'ERROR'}: ${error.message}`) };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl };
}
