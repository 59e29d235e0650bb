// Demand control on the real subgraph schemas: every list of the composed supergraph is sized, a supergraph composed
// after deleting one @listSize is refused naming the list it left unsized, the contract's operations are well under the
// default maximum and 50 customers' transactions far over it, and the README's tables are the supergraph's weights and
// sizes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'graphql';
import { DEFAULT_MAX_COST, estimateCost, findUnsizedLists } from '../../../gateway/plugins/cost/index.js';
import { prepareSupergraph } from '../../../gateway/supergraph.js';
import { fromRoot } from '../../../lib/config/paths.js';
import { SUPERGRAPH_PATH } from '../../../schema/compose.js';
import { contractOperation } from '../../support/contract.js';
import { editedSupergraph, supergraphRefusal } from '../../support/supergraphEdits.js';

const committed = prepareSupergraph(readFileSync(SUPERGRAPH_PATH, 'utf8'));

/** A README table's rows, from its header to the first line that is not a row, as their cells. */
function readmeTable(header: string): string[][] {
  const readme = readFileSync(fromRoot('README.md'), 'utf8');
  const start = readme.indexOf(header);
  assert.ok(start >= 0, `the README has the table headed ${header}`);
  const rows = readme.slice(start).split('\n').slice(2);
  return rows
    .slice(
      0,
      rows.findIndex((row) => !row.startsWith('|')),
    )
    .map((row) =>
      row
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

const estimate = (query: string, variables: Record<string, unknown> = {}) =>
  estimateCost({ schema: committed.apiSchema, rules: committed.costRules, document: parse(query), variables });

/** 50 customers, every account's 100 newest transactions: the issue's example of what must be refused. */
const FIFTY_BY_HUNDRED =
  '{ customers(first: 50) { edges { node { id accounts { id transactions(first: 100) { edges { node { id amount { amount currency } bookedAt } } } } } } } }';

describe('cost rules of the real schemas', () => {
  it('size every list of the composed supergraph', () => {
    assert.deepEqual(findUnsizedLists(committed.apiSchema, committed.costRules), []);
    assert.ok(committed.costRules.listSizes.size >= 15, `${committed.costRules.listSizes.size} lists sized`);
  });

  // Each case deletes one @listSize from one real subgraph schema: [subgraph, search, replacement, the list it unsizes].
  const sliced = '    @listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)\n';
  for (const [subgraph, search, replacement, list] of [
    [
      'accounts',
      'accounts: [Account!] @cost(weight: 10) @listSize(assumedSize: 10)',
      'accounts: [Account!] @cost(weight: 10)',
      'Customer.accounts',
    ],
    ['accounts', sliced, '', 'TransactionConnection.edges'],
    ['identity', '    @listSize(slicingArguments: ["first"], sizedFields: ["edges"])\n', '', 'CustomerConnection.edges'],
    ['credit', 'tradelines: [Tradeline!]! @listSize(assumedSize: 50)', 'tradelines: [Tradeline!]!', 'CreditReport.tradelines'],
  ] as const) {
    it(`refuses a supergraph whose ${list} lost its @listSize, naming it`, () => {
      const message = supergraphRefusal(editedSupergraph(subgraph, search, replacement));
      assert.match(message, new RegExp(`lists whose length nothing bounds: ${list.replace('.', '\\.')} is a list with no @listSize`));
    });
  }

  it('estimates every contract operation well under the default maximum, and 50 customers’ transactions far over it', () => {
    const operations = readdirSync(fromRoot('test', 'contract', 'operations')).map((file) => file.replace(/\.graphql$/, ''));
    assert.ok(operations.length >= 7);
    const costs = Object.fromEntries(operations.map((name) => [name, estimate(contractOperation(name), { first: 100 })]));
    // The largest, CustomerOverview, with room for five times as much and more.
    assert.equal(Object.entries(costs).sort((a, b) => b[1] - a[1])[0]?.[0], 'CustomerOverview');
    for (const [name, cost] of Object.entries(costs)) assert.ok(cost * 5 <= DEFAULT_MAX_COST, `${name} costs ${cost}`);
    assert.ok(estimate(FIFTY_BY_HUNDRED) > 10 * DEFAULT_MAX_COST, `${estimate(FIFTY_BY_HUNDRED)}`);
    // Staff views the other tests serve stay under it: 40 customers' balances, the cash position down to each balance.
    const balances = estimate(
      '{ customers(first: 40) { edges { node { id accounts { institution { id } balance { current { amount } } } } } } }',
    );
    const drill = estimate(
      '{ cashPosition(reportingCurrency: "USD") { byInstitution { institution { id } accounts { id currency balance { current { amount currency } } } } } }',
    );
    assert.deepEqual([balances, drill], [5681, 6070]);
    assert.ok(drill < DEFAULT_MAX_COST);
  });

  it('are the weights and list sizes the README lists', () => {
    const weights = readmeTable('| weighted field | weight | what it costs upstream |').map(([field, weight]) => [
      field?.replace(/`/g, ''),
      Number(weight),
    ]);
    assert.deepEqual(Object.fromEntries(weights), Object.fromEntries(committed.costRules.fieldWeights));
    const sizes = readmeTable('| list | sized by | why |').map(([list, size]) => [list?.replace(/`/g, ''), size?.replace(/`/g, '')]);
    const declared = [...committed.costRules.listSizes].map(([coordinate, rule]) => [
      coordinate,
      rule.slicingArguments.length > 0
        ? `${rule.slicingArguments.join(', ')}${rule.sizedFields.length > 0 ? ` (${rule.sizedFields.join(', ')})` : ''}`
        : `assumed ${rule.assumedSize}`,
    ]);
    assert.deepEqual(Object.fromEntries(sizes), Object.fromEntries(declared));
  });
});
