// What the benchmarks send: the contract's operations with the variables a real client would use.
import { readFileSync } from 'node:fs';
import { fromRoot } from '../lib/config/paths.js';

export interface Scenario {
  readonly name: string;
  readonly role: string;
  readonly request: { query: string; variables: Record<string, unknown> };
}

const operation = (name: string) => readFileSync(fromRoot('test', 'contract', 'operations', `${name}.graphql`), 'utf8');

export const scenarios: readonly Scenario[] = [
  { name: 'CashPosition (USD)', role: 'cfo', request: { query: operation('CashPosition'), variables: { currency: 'USD' } } },
  { name: 'Customers (first 50)', role: 'support', request: { query: operation('Customers'), variables: { first: 50 } } },
];
