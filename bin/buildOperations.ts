// `npm run build:operations`: writes schema/trusted-operations.json from the contract's operations and the README's
// examples, after checking each validates against the committed supergraph. `--check` writes nothing and exits 1
// naming what is wrong with the committed manifest (or the one `--manifest <file>` names).
import { readFileSync, writeFileSync } from 'node:fs';
import { buildManifest, checkManifest, manifestText } from '../gateway/plugins/trustedDocuments/build.js';
import { DEFAULT_MANIFEST_FILE } from '../gateway/plugins/trustedDocuments/config.js';
import { validateManifest } from '../gateway/plugins/trustedDocuments/manifest.js';
import { prepareSupergraph } from '../gateway/supergraph.js';
import { SUPERGRAPH_PATH } from '../schema/compose.js';

const args = process.argv.slice(2);
const manifestIndex = args.indexOf('--manifest');
const file = manifestIndex >= 0 ? args[manifestIndex + 1] : DEFAULT_MANIFEST_FILE;
if (file === undefined) {
  process.stderr.write('build:operations: --manifest needs a file\n');
  process.exit(2);
}
const { apiSchema } = prepareSupergraph(readFileSync(SUPERGRAPH_PATH, 'utf8'));
const fresh = buildManifest();

if (args.includes('--check')) {
  let committed: string;
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    process.stderr.write(`build:operations: ${file} is missing; run npm run build:operations\n`);
    process.exit(1);
  }
  const problems = checkManifest(committed, fresh, apiSchema);
  for (const problem of problems) process.stderr.write(`build:operations: ${file}: ${problem}\n`);
  process.exit(problems.length === 0 ? 0 : 1);
}

const invalid = validateManifest(fresh, apiSchema);
if (invalid.length > 0) {
  for (const problem of invalid) process.stderr.write(`build:operations: ${problem}\n`);
  process.exit(1);
}
writeFileSync(file, manifestText(fresh));
process.stdout.write(`Wrote ${file} (${fresh.operations.length} operations)\n`);
