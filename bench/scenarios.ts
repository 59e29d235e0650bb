// What the benchmarks send: the contract's operations with the variables a real client would use.
import { readFileSync } from 'node:fs';
import { fromRoot } from '../lib/config/paths.js';

export interface Scenario {
  readonly name: string;
  readonly role: string;
  readonly request: { query: string; variables: Record<string, unknown> };
  /**
   * The subgraph that answers the whole operation alone, asked directly as the baseline (no JWT, no planning, one hop),
   * with the scopes its internal token needs; none for an operation that spans subgraphs.
   */
  readonly baseline?: { readonly subgraph: string; readonly scopes: readonly string[] };
}

const operation = (name: string) => readFileSync(fromRoot('test', 'contract', 'operations', `${name}.graphql`), 'utf8');

export const scenarios: readonly Scenario[] = [
  {
    name: 'CashPosition (USD)',
    role: 'cfo',
    request: { query: operation('CashPosition'), variables: { currency: 'USD' } },
    baseline: { subgraph: 'accounts', scopes: ['treasury:read', 'accounts:read'] },
  },
  {
    name: 'Customers (first 50)',
    role: 'support',
    request: { query: operation('Customers'), variables: { first: 50 } },
    baseline: { subgraph: 'identity', scopes: ['profile:read'] },
  },
];

/** CustomerOverview spans all four subgraphs; it runs through the gateway only, for one customer id given at run time. */
export const customerOverview = (id: string): Scenario => ({
  name: 'CustomerOverview (4 subgraphs)',
  role: 'admin',
  request: { query: operation('CustomerOverview'), variables: { id } },
});
