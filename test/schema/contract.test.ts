// The repository's copy of the contract (test/contract/) must equal ../shared/contract/ wherever that is present.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromRoot } from '../../lib/config/paths.js';

const shared = fromRoot('..', 'shared', 'contract');

describe('contract copy', () => {
  it('matches ../shared/contract when it is beside the repository', (t) => {
    if (!existsSync(shared)) {
      // A clone without ../shared (a developer's scratch copy) has nothing to compare against; CI always has it.
      t.diagnostic('../shared/contract not present; compared the copy with itself only');
    }
    const copied = readdirSync(fromRoot('test', 'contract', 'operations')).sort();
    assert.ok(copied.length >= 7, 'every contract operation is copied');
    if (!existsSync(shared)) return;
    assert.deepEqual(readdirSync(`${shared}/operations`).sort(), copied);
    for (const file of copied) {
      assert.equal(readFileSync(fromRoot('test', 'contract', 'operations', file), 'utf8'), readFileSync(`${shared}/operations/${file}`, 'utf8'), file);
    }
    assert.equal(readFileSync(fromRoot('test', 'contract', 'CONTRACT.md'), 'utf8'), readFileSync(`${shared}/README.md`, 'utf8'));
  });
});
