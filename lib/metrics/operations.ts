// The `operation` label's bound: only the names of the trusted-operations manifest (the contract's operations, a few
// dozen) get a label of their own; an unnamed operation is `anonymous` and any other name is `other`. A client chooses
// its operation names, so labelling them as sent would let any caller create series without end.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export type OperationNames = ReadonlySet<string>;

const manifestNames = z.object({ operations: z.array(z.object({ name: z.string() })) });

/** The operation names of a persisted-query manifest (schema/trusted-operations.json); throws when it cannot be read. */
export function readOperationNames(file: string): OperationNames {
  const manifest = manifestNames.parse(JSON.parse(readFileSync(file, 'utf8')));
  return new Set(manifest.operations.map((operation) => operation.name));
}

/** Apollo Gateway names each subgraph fetch `<Operation>__<subgraph>__<n>`: a subgraph labels it by the operation. */
const fetchName = /^(.+?)__[a-z0-9_]+__\d+$/;

export function operationLabel(name: string | undefined | null, known: OperationNames): string {
  if (!name) return 'anonymous';
  const operation = fetchName.exec(name)?.[1] ?? name;
  return known.has(operation) ? operation : 'other';
}
