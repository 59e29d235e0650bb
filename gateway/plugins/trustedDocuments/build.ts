// Builds the trusted-operations manifest from its two sources, the contract's operations (the repository's copy in
// test/contract/operations, itself checked against ../shared/contract) and the README's example queries (the `query`
// of each `curl … -d '{"query":…}'`), and checks a committed manifest against a fresh build. `npm run
// build:operations` writes it; test/schema/trustedOperations.test.ts fails when it has drifted or does not validate.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GraphQLSchema, getOperationAST, parse } from 'graphql';
import { fromRoot } from '../../../lib/config/paths.js';
import {
  MANIFEST_FORMAT,
  type Manifest,
  ManifestError,
  parseManifest,
  sha256Hex,
  type TrustedOperation,
  validateManifest,
} from './manifest.js';

export interface ManifestSources {
  /** Folder of the contract's `.graphql` operations. */
  readonly contractDir: string;
  /** The README's text, whose curl examples are trusted as written. */
  readonly readme: string;
}

export const defaultSources = (): ManifestSources => ({
  contractDir: fromRoot('test', 'contract', 'operations'),
  readme: readFileSync(fromRoot('README.md'), 'utf8'),
});

/** The `query` of every `-d '{"query": …}'` in the README, in order; the exact string a copied example sends. */
export function readmeQueries(readme: string): string[] {
  return [...readme.matchAll(/-d '(\{"query"[^']*)'/g)].map((match) => {
    const body = JSON.parse(match[1] as string) as { query?: unknown };
    if (typeof body.query !== 'string') throw new ManifestError('a README example without a query string');
    return body.query;
  });
}

function operationOf(body: string, fallbackName: string): TrustedOperation {
  const operation = getOperationAST(parse(body));
  if (!operation) throw new ManifestError(`${fallbackName}: not exactly one operation`);
  // Anonymous README examples are named by their root fields, so the name stays put when the README moves around.
  const rootFields = operation.selectionSet.selections.flatMap((selection) => (selection.kind === 'Field' ? [selection.name.value] : []));
  return {
    id: sha256Hex(body),
    name: operation.name?.value ?? `${fallbackName} ${rootFields.join(',')}`,
    type: operation.operation,
    body,
  };
}

/** The manifest the sources make: contract operations (by file name), then README examples; each text once. */
export function buildManifest(sources: ManifestSources = defaultSources()): Manifest {
  const contract = readdirSync(sources.contractDir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => operationOf(readFileSync(join(sources.contractDir, file), 'utf8'), file.replace(/\.graphql$/, '')));
  const readme = readmeQueries(sources.readme).map((body) => operationOf(body, 'README'));
  const seen = new Set<string>();
  const operations = [...contract, ...readme].filter((operation) => !seen.has(operation.id) && seen.add(operation.id));
  return { format: MANIFEST_FORMAT, version: 1, operations };
}

export function manifestText(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Why a committed manifest is wrong: not what a fresh build writes, malformed, or a document that does not validate. */
export function checkManifest(committed: string, fresh: Manifest, apiSchema: GraphQLSchema): string[] {
  let parsed: Manifest;
  try {
    parsed = parseManifest(committed);
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
  const problems = validateManifest(parsed, apiSchema);
  if (committed !== manifestText(fresh)) {
    const committedIds = new Set(parsed.operations.map((operation) => operation.id));
    const freshIds = new Set(fresh.operations.map((operation) => operation.id));
    const missing = fresh.operations.filter((operation) => !committedIds.has(operation.id)).map((operation) => operation.name);
    const extra = parsed.operations.filter((operation) => !freshIds.has(operation.id)).map((operation) => operation.name);
    problems.push(
      `differs from a fresh build (run npm run build:operations)${missing.length ? `; missing: ${missing.join(', ')}` : ''}${
        extra.length ? `; not in the sources: ${extra.join(', ')}` : ''
      }`,
    );
  }
  return problems;
}
