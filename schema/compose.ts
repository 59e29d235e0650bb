// Composes the subgraphs' schema files into the supergraph with @apollo/composition.
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { fromRoot } from '../lib/config/paths.js';
import { subgraphs } from './subgraphs.js';

export const SUPERGRAPH_PATH = fromRoot('schema', 'supergraph.graphql');

export type Composition = { readonly ok: true; readonly supergraphSdl: string } | { readonly ok: false; readonly errors: readonly string[] };

export function composeSupergraph(): Composition {
  const result = composeServices(subgraphs.map((subgraph) => ({
    name: subgraph.name,
    url: subgraph.defaultUrl,
    typeDefs: parse(readFileSync(fromRoot('subgraphs', subgraph.name, 'schema.graphql'), 'utf8')),
  })));
  if (result.errors) {
    return { ok: false, errors: result.errors.map((error) => `${error.extensions.code ?? 'ERROR'}: ${error.message}`) };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl };
}
