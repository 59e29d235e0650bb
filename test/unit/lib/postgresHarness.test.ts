// The test harness's private PostgreSQL: starts on a free port, keeps committed rows across a kill and restart, and
// fails clearly when the server binaries are missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { fromRoot } from '../../../lib/config/paths.js';
import { PostgresHarness } from '../../support/postgres.js';

describe('postgres harness', () => {
  let harness: PostgresHarness;
  before(async () => {
    harness = await PostgresHarness.start();
  });
  after(async () => {
    await harness.close();
  });

  it('runs a private server that can be killed and restarted with its data', async () => {
    assert.notEqual(harness.port, 5432);
    const client = new pg.Client({ connectionString: harness.url });
    await client.connect();
    await client.query('CREATE TABLE probe (id integer PRIMARY KEY, label text NOT NULL)');
    await client.query("INSERT INTO probe VALUES (1, 'before')");
    client.on('error', () => {}); // the kill below ends this connection
    await harness.stop();
    await client.end().catch(() => {});

    const refused = new pg.Client({ connectionString: harness.url, connectionTimeoutMillis: 1000 });
    refused.on('error', () => {});
    await assert.rejects(refused.connect());
    await refused.end().catch(() => {});

    await harness.restart();
    const again = new pg.Client({ connectionString: harness.url });
    await again.connect();
    const { rows } = await again.query<{ label: string }>('SELECT label FROM probe WHERE id = 1');
    assert.deepEqual(rows, [{ label: 'before' }], 'a committed row survives the kill');
    await again.end();
  });

  it('fails with a message naming the missing binaries when pg_config is not on PATH', () => {
    const script = `import(${JSON.stringify(fromRoot('dist', 'test', 'support', 'postgres.js'))}).then((m) => m.PostgresHarness.start()).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3); });`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
    assert.equal(run.status, 3);
    assert.match(run.stderr, /PostgreSQL's server binaries \(initdb, postgres\) are not installed.*pg_config/);
  });
});
