// The trusted-operations manifest: Apollo's persisted-query manifest format (`apollo-persisted-query-manifest`,
// version 1, as Apollo's generator writes and Apollo Router reads), each operation's id the SHA-256 (hex) of its exact
// text, which is also the hash the automatic-persisted-query extension carries. Read once at start; a manifest that
// cannot be read, or whose ids do not match their text, stops the gateway (fail closed).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type GraphQLSchema, parse, validate } from 'graphql';
import { z } from 'zod';

export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

const operationSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string(),
  type: z.enum(['query', 'mutation', 'subscription']),
  body: z.string().min(1),
});
const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(1),
  operations: z.array(operationSchema),
});

export type TrustedOperation = z.infer<typeof operationSchema>;
export type Manifest = z.infer<typeof manifestSchema>;

export class ManifestError extends Error {
  constructor(message: string) {
    super(`trusted-operations manifest refused: ${message}`);
    this.name = 'ManifestError';
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Parses a manifest's text, checking each id is the hash of its body and no id repeats. */
export function parseManifest(text: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ManifestError('not JSON');
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new ManifestError(`not an ${MANIFEST_FORMAT} v1 (${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')})`);
  }
  const seen = new Set<string>();
  for (const operation of parsed.data.operations) {
    if (sha256Hex(operation.body) !== operation.id) throw new ManifestError(`${operation.name}: its id is not the SHA-256 of its body`);
    if (seen.has(operation.id)) throw new ManifestError(`${operation.name}: id listed twice`);
    seen.add(operation.id);
  }
  return parsed.data;
}

/** Every way a manifest's documents fail to run against the served API schema (empty: all valid). */
export function validateManifest(manifest: Manifest, apiSchema: GraphQLSchema): string[] {
  return manifest.operations.flatMap((operation) => {
    try {
      return validate(apiSchema, parse(operation.body)).map((error) => `${operation.name}: ${error.message}`);
    } catch (error) {
      return [`${operation.name}: ${error instanceof Error ? error.message : String(error)}`];
    }
  });
}

/** The trusted documents by hash, as the plugin looks them up on every request. */
export class TrustedDocuments {
  private readonly byId: ReadonlyMap<string, TrustedOperation>;

  constructor(readonly manifest: Manifest) {
    this.byId = new Map(manifest.operations.map((operation) => [operation.id, operation]));
  }

  get size(): number {
    return this.byId.size;
  }

  /** The document whose SHA-256 is this hash, if trusted. */
  body(hash: string): string | undefined {
    return this.byId.get(hash)?.body;
  }

  has(hash: string): boolean {
    return this.byId.has(hash);
  }
}

/** Reads and checks the manifest file; any problem (missing, malformed, an id not its body's hash, invalid) throws. */
export function loadTrustedDocuments(file: string, apiSchema: GraphQLSchema): TrustedDocuments {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ManifestError(`cannot read ${file} (npm run build:operations writes it)`);
  }
  const manifest = parseManifest(text);
  const invalid = validateManifest(manifest, apiSchema);
  if (invalid.length > 0) throw new ManifestError(`documents that do not validate against the supergraph: ${invalid.join('; ')}`);
  return new TrustedDocuments(manifest);
}
