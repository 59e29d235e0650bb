// The repository's copy of the contract (test/contract/) must equal ../shared/contract/, which must be present.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromRoot } from '../../lib/config/paths.js';

const shared = fromRoot('..', 'shared', 'contract');

describe('contract copy', () => {
  it('matches ../shared/contract, which must be beside the repository', () => {
    // Without the shared contract there is nothing to prove the copy against: that is a failure, not a pass.
    assert.ok(existsSync(shared), `the shared contract is missing at ${shared}: clone the repository beside ../shared`);
    const copied = readdirSync(fromRoot('test', 'contract', 'operations')).sort();
    assert.ok(copied.length >= 7, 'every contract operation is copied');
    assert.deepEqual(readdirSync(`${shared}/operations`).sort(), copied);
    for (const file of copied) {
      assert.equal(
        readFileSync(fromRoot('test', 'contract', 'operations', file), 'utf8'),
        readFileSync(`${shared}/operations/${file}`, 'utf8'),
        file,
      );
    }
    assert.equal(readFileSync(fromRoot('test', 'contract', 'CONTRACT.md'), 'utf8'), readFileSync(`${shared}/README.md`, 'utf8'));
  });
});
