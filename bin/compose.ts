// `npm run compose`: writes schema/supergraph.graphql from the subgraph schema files, or prints why it cannot.
import { writeFileSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_PATH } from '../schema/compose.js';

const composition = composeSupergraph();
if (!composition.ok) {
  process.stderr.write(`Composition failed with ${composition.errors.length} error(s):\n`);
  for (const error of composition.errors) process.stderr.write(`  - ${error}\n`);
  process.exit(1);
}
writeFileSync(SUPERGRAPH_PATH, composition.supergraphSdl);
process.stdout.write(`Wrote ${SUPERGRAPH_PATH}\n`);
