// The trusted-documents settings, read from TRUSTED_DOCUMENTS and TRUSTED_DOCUMENTS_MANIFEST by gateway/config.ts.
import { ConfigError, type Env, readEnum, readString } from '../../../lib/config/env.js';
import { fromRoot } from '../../../lib/config/paths.js';

export const trustedDocumentModes = ['off', 'log', 'trusted-only'] as const;
export type TrustedDocumentsMode = (typeof trustedDocumentModes)[number];

export interface TrustedDocumentsConfig {
  /** off: anything runs; log: anything runs, unknown documents logged by hash; trusted-only: only the manifest's. */
  readonly mode: TrustedDocumentsMode;
  /** The manifest file (default schema/trusted-operations.json, written by `npm run build:operations`). */
  readonly manifestFile: string;
}

export const DEFAULT_MANIFEST_FILE = fromRoot('schema', 'trusted-operations.json');

/**
 * Development defaults to `log` (anything runs, and the log shows what a trusted-only gateway would refuse); every
 * other mode to `trusted-only`: FinGraph's clients are its own frontends, whose operations are the contract's, so an
 * unknown document in production is an attacker's or a mistake, and deny by default holds here as for fields.
 * Outside development `log` and `off` are still available, but only when asked for by name.
 */
export function readTrustedDocumentsConfig(env: Env, production: boolean): TrustedDocumentsConfig {
  const mode = readEnum(env, 'TRUSTED_DOCUMENTS', trustedDocumentModes, production ? 'trusted-only' : 'log');
  const manifestFile = readString(env, 'TRUSTED_DOCUMENTS_MANIFEST', DEFAULT_MANIFEST_FILE);
  if (manifestFile.trim() === '') throw new ConfigError('TRUSTED_DOCUMENTS_MANIFEST', 'a manifest file', manifestFile);
  return { mode, manifestFile };
}
