// Where the project's own files are, whether running from the sources' compiled copy in dist/ or elsewhere.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is lib/config/paths.ts, compiled to dist/lib/config/paths.js. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function fromRoot(...segments: string[]): string {
  return resolve(projectRoot, ...segments);
}
