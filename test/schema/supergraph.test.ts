// The committed supergraph is the one the gateway serves: it must equal a fresh composition of the subgraph schemas,
// and the contract's operations that today's subgraphs can serve must validate against its API schema.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, validate } from 'graphql';
import { prepareSupergraph } from '../../gateway/supergraph.js';
import { composeSupergraph, SUPERGRAPH_PATH } from '../../schema/compose.js';
import { contractOperation } from '../support/contract.js';

describe('supergraph', () => {
  it('has not drifted from a fresh composition (run `npm run compose` after changing a subgraph schema)', () => {
    const composition = composeSupergraph();
    assert.ok(composition.ok, composition.ok ? '' : composition.errors.join('\n'));
    assert.equal(readFileSync(SUPERGRAPH_PATH, 'utf8'), composition.supergraphSdl);
  });

  it('serves the contract operations of the subgraphs that exist', () => {
    const { apiSchema } = prepareSupergraph(readFileSync(SUPERGRAPH_PATH, 'utf8'));
    for (const name of ['CashPosition', 'Customers']) {
      const errors = validate(apiSchema, parse(contractOperation(name)));
      assert.deepEqual(
        errors.map((error) => error.message),
        [],
        name,
      );
    }
  });
});
