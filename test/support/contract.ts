// The contract's operations, read from the repository's copy (test/contract/), itself checked against ../shared.
import { readFileSync } from 'node:fs';
import { fromRoot } from '../../lib/config/paths.js';

export function contractOperation(name: string): string {
  return readFileSync(fromRoot('test', 'contract', 'operations', `${name}.graphql`), 'utf8');
}
