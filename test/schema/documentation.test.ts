// The README stays true: every configuration variable the code reads, every error code it can emit and every reason
// that refines one is documented, every error code is one the contract defines (or the masked internal error), and
// every source path it names exists.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { limitNames } from '../../gateway/plugins/limits/index.js';
import { fromRoot } from '../../lib/config/paths.js';
import { ErrorCode, ErrorReason } from '../../lib/errors/index.js';
import { createServiceMetrics } from '../../lib/metrics/index.js';
import { subgraphs } from '../../schema/subgraphs.js';
import { institutions } from '../../subgraphs/accounts/institutions.js';

const readme = readFileSync(fromRoot('README.md'), 'utf8');
const contract = readFileSync(fromRoot('test', 'contract', 'CONTRACT.md'), 'utf8');

function sources(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('documentation', () => {
  it('names every configuration variable the services read', () => {
    const text = ['lib', 'gateway', 'subgraphs', 'sandbox', 'bin']
      .flatMap((folder) => sources(fromRoot(folder)))
      .map((path) => readFileSync(path, 'utf8'))
      .join('\n');
    const names = new Set(
      [
        ...text.matchAll(
          /read(?:String|OptionalString|Int|Port|Boolean|Enum|Url|Base64Key|Rate)\((?:env|process\.env), '([A-Z][A-Z0-9_]+)'/g,
        ),
      ].map((match) => match[1] as string),
    );
    for (const bank of institutions) names.add(`BANK_${bank.id.toUpperCase()}_URL`);
    for (const subgraph of subgraphs) {
      names.add(`SUBGRAPH_${subgraph.name.toUpperCase()}_URL`);
      names.add(`${subgraph.name.toUpperCase()}_PORT`);
      names.add(`${subgraph.name.toUpperCase()}_HOST`);
      names.add(`${subgraph.name.toUpperCase()}_INTERNAL_KEY`);
      names.add(`${subgraph.name.toUpperCase()}_METRICS_PORT`);
    }
    assert.ok(names.size > 20, `found ${names.size} variables`);
    for (const name of names) assert.ok(readme.includes(`\`${name}\``), `README does not document ${name}`);
  });

  it('documents every metric a service exposes', async () => {
    // Every provider given, so every family a service can expose is registered (lib/metrics/registry.ts).
    const metrics = createServiceMetrics({
      service: 'docs',
      operations: new Set(),
      cacheMetrics: () => ({}),
      breakers: () => ({}),
      audit: () => ({ queued: 0, writeErrors: 0, dropped: 0, capacity: 1 }),
    });
    const names = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    assert.ok(names.length >= 12, `found ${names.length} metrics`);
    for (const name of names) assert.ok(readme.includes(`\`${name}\``), `README does not document the metric ${name}`);
  });

  it('names only source paths that exist (the layout follows the folders)', () => {
    const named = [...readme.matchAll(/`((?:gateway|subgraphs|lib)\/[^`<*\s]+)`/g)].map((match) => match[1] as string);
    assert.ok(named.length > 10, `found ${named.length} paths`);
    for (const path of new Set(named)) assert.ok(existsSync(fromRoot(...path.split('/'))), `README names ${path}, which does not exist`);
  });

  it('documents every error code, each one the contract defines', () => {
    const emitted = Object.values(ErrorCode).filter((code) => !code.startsWith('GRAPHQL_'));
    for (const code of emitted) {
      assert.ok(readme.includes(`| \`${code}\``), `README's error table lacks ${code}`);
      if (code !== 'INTERNAL_SERVER_ERROR') assert.ok(contract.includes(`\`${code}\``), `${code} is not in the contract`);
    }
  });

  it('documents every shape limit a QUERY_TOO_COMPLEX refusal can name, in the error table and the limits table', () => {
    const table = readme.split('\n').find((line) => line.startsWith('| `QUERY_TOO_COMPLEX` |')) ?? '';
    for (const name of limitNames) {
      assert.ok(table.includes(`\`${name}\``), `README's error table does not name the limit ${name}`);
      assert.match(readme, new RegExp(`^\\| \`${name}\` \\| \`GATEWAY_MAX_[A-Z_]+\` \\|`, 'm'), `README's limits table lacks ${name}`);
    }
  });

  it('documents every error reason a client may branch on', () => {
    const reasons = Object.values(ErrorReason);
    assert.ok(reasons.length >= 9);
    // In the error table, beside the code it refines, inside a code span (`reason: X` or `X`).
    const table = readme
      .split('\n')
      .filter((line) => /^\| `[A-Z_]+` \|/.test(line))
      .join('\n');
    for (const reason of reasons) {
      assert.match(table, new RegExp(`\`[^\`]*\\b${reason}\\b[^\`]*\``), `README's error table does not document the reason ${reason}`);
    }
  });
});
