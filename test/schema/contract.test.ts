// The repository's copy of the contract (test/contract/) must equal ../shared/contract/, which must be present.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fromRoot } from '../../lib/config/paths.js';

/**
 * ../shared/contract beside the repository; for a scratch clone (`git clone . "$(mktemp -d)"`), beside the repository it
 * was cloned from. Neither present is a failure below, never a pass.
 */
function sharedContract(): string {
  const beside = fromRoot('..', 'shared', 'contract');
  if (existsSync(beside)) return beside;
  try {
    const origin = execFileSync('git', ['config', '--get', 'remote.origin.url'], { cwd: fromRoot(), encoding: 'utf8' }).trim();
    if (isAbsolute(origin)) return join(dirname(resolve(origin)), 'shared', 'contract');
  } catch {
    // not a clone of a local repository
  }
  return beside;
}

const shared = sharedContract();

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
