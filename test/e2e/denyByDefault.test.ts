// The gateway as deployed (its own process, production rules, every setting given) handed a supergraph in which one
// field lost its rule: it does not start. Exit code 78, one line naming the field and its subgraph, no stack trace.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { composeSupergraph, readSubgraphSchema } from '../../schema/compose.js';
import { productionEnv } from '../support/productionEnv.js';
import { startService } from '../support/serviceProcess.js';

describe('gateway process, deny by default', () => {
  it('refuses to start on a supergraph with a field open by omission, naming it', async () => {
    const rule = 'CashPosition @requiresScopes(scopes: [["treasury:read"]])';
    const composition = composeSupergraph((name) => {
      const text = readSubgraphSchema(name);
      if (name === 'accounts') assert.ok(text.includes(rule), 'the edit deletes a rule the accounts schema has');
      return name === 'accounts' ? text.replace(rule, 'CashPosition') : text;
    });
    assert.ok(composition.ok, composition.ok ? '' : composition.errors.join('\n'));
    const file = join(mkdtempSync(join(tmpdir(), 'fingraph-supergraph-')), 'supergraph.graphql');
    writeFileSync(file, composition.supergraphSdl);

    // The gateway reads no Redis; the address is only what productionEnv asks of every service.
    const run = startService('gateway', 'gateway/index.js', {
      ...productionEnv('gateway', { redisUrl: 'redis://127.0.0.1:9' }),
      SUPERGRAPH_FILE: file,
      GATEWAY_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    assert.equal(await run.exited(), 78, run.output());
    const lines = run.output().trim().split('\n');
    assert.equal(lines.length, 1, `one line:\n${run.output()}`);
    assert.match(
      lines[0] as string,
      /^gateway: supergraph refused: fields with no scope requirement.*: Query\.cashPosition \(subgraph accounts\)$/,
    );
    assert.doesNotMatch(run.output(), /\n\s+at /, 'no stack trace');
  });
});
