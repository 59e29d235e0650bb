// The committed trusted-operations manifest (schema/trusted-operations.json) must equal a fresh build from the
// contract's operations and the README's examples, and every document in it must validate against the supergraph's
// API schema; `npm run build:operations -- --check` (the same check) fails on a drifted copy, and the gateway refuses
// to load a manifest whose ids are not its documents' hashes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildManifest, checkManifest, manifestText } from '../../gateway/plugins/trustedDocuments/build.js';
import { DEFAULT_MANIFEST_FILE } from '../../gateway/plugins/trustedDocuments/config.js';
import { loadTrustedDocuments, type Manifest, ManifestError, sha256Hex } from '../../gateway/plugins/trustedDocuments/manifest.js';
import { prepareSupergraph } from '../../gateway/supergraph.js';
import { fromRoot } from '../../lib/config/paths.js';
import { SUPERGRAPH_PATH } from '../../schema/compose.js';

const CLI = fromRoot('dist', 'bin', 'buildOperations.js');
const { apiSchema } = prepareSupergraph(readFileSync(SUPERGRAPH_PATH, 'utf8'));

function check(manifestFile: string) {
  return spawnSync(process.execPath, [CLI, '--check', '--manifest', manifestFile], { cwd: fromRoot(), encoding: 'utf8', timeout: 60_000 });
}

/** A copy of the committed manifest, changed by `edit`, in a temporary file. */
function editedCopy(edit: (manifest: Manifest) => void): string {
  const manifest = JSON.parse(readFileSync(DEFAULT_MANIFEST_FILE, 'utf8')) as Manifest;
  edit(manifest);
  const file = join(mkdtempSync(join(tmpdir(), 'fingraph-manifest-')), 'trusted-operations.json');
  writeFileSync(file, manifestText(manifest));
  return file;
}

describe('trusted-operations manifest', () => {
  it('equals a fresh build, and every document validates against the supergraph', () => {
    const fresh = buildManifest();
    assert.deepEqual(checkManifest(readFileSync(DEFAULT_MANIFEST_FILE, 'utf8'), fresh, apiSchema), []);
    const run = check(DEFAULT_MANIFEST_FILE);
    assert.equal(run.status, 0, run.stderr);
  });

  it("holds every contract operation and every README example, each keyed by its text's SHA-256", () => {
    const { operations } = buildManifest();
    for (const name of ['CashPosition', 'CreditReport', 'CustomerOverview', 'CustomerPII', 'Customers', 'InitiatePayment', 'Me']) {
      const body = readFileSync(fromRoot('test', 'contract', 'operations', `${name}.graphql`), 'utf8');
      assert.ok(
        operations.some((operation) => operation.id === sha256Hex(body) && operation.name === name),
        `${name} is trusted by its exact text`,
      );
    }
    assert.ok(operations.filter((operation) => operation.name.startsWith('README ')).length >= 8, 'the README examples are trusted');
  });

  it('a copy that has drifted fails the check: a changed document, and a missing one', () => {
    const changed = editedCopy((manifest) => {
      const first = manifest.operations[0] as Manifest['operations'][number];
      first.body = `${first.body}\n# edited`;
      first.id = sha256Hex(first.body);
    });
    const changedRun = check(changed);
    assert.equal(changedRun.status, 1);
    assert.match(changedRun.stderr, /differs from a fresh build/);

    const missing = editedCopy((manifest) => {
      manifest.operations.pop();
    });
    const missingRun = check(missing);
    assert.equal(missingRun.status, 1);
    assert.match(missingRun.stderr, /missing: README grantCreditConsent/);
  });

  it('a document that does not validate against the supergraph fails the check, and the gateway will not load it', () => {
    const invalid = editedCopy((manifest) => {
      const body = '{ institutions { id swiftCode } }';
      manifest.operations.push({ id: sha256Hex(body), name: 'Invalid', type: 'query', body });
    });
    const run = check(invalid);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Invalid: Cannot query field "swiftCode"/);
    assert.throws(() => loadTrustedDocuments(invalid, apiSchema), ManifestError);
  });

  it('the gateway refuses a manifest whose id is not the hash of its document', () => {
    const forged = editedCopy((manifest) => {
      (manifest.operations[0] as Manifest['operations'][number]).body = '{ institutions { id } }';
    });
    assert.throws(() => loadTrustedDocuments(forged, apiSchema), /its id is not the SHA-256 of its body/);
    assert.throws(() => loadTrustedDocuments(join(tmpdir(), 'no-such-manifest.json'), apiSchema), /cannot read/);
  });
});
