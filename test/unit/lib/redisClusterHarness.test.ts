// The test harness's private Redis Cluster: three masters on free loopback ports (never 6379) that an ioredis Cluster
// client can use, with keys spread over the masters, hash tags keeping multi-key commands in one slot, and a clear
// failure when redis-server or redis-cli is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { fromRoot } from '../../../lib/config/paths.js';
import { assertEvery } from '../../support/assertions.js';
import { RedisClusterHarness } from '../../support/redisCluster.js';

function direct(node: { host: string; port: number }): Redis {
  return new Redis({ host: node.host, port: node.port, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
}

describe('redis cluster harness', () => {
  let harness: RedisClusterHarness;
  let cluster: Cluster;
  let nodeClients: Redis[] = [];

  before(async () => {
    harness = await RedisClusterHarness.start();
    cluster = new Cluster(harness.nodes, { clusterRetryStrategy: () => null, redisOptions: { maxRetriesPerRequest: 0 } });
    nodeClients = harness.nodes.map(direct);
    await Promise.all(nodeClients.map((client) => client.connect()));
  });

  after(async () => {
    for (const client of nodeClients) client.disconnect();
    cluster?.disconnect();
    await harness?.close();
  });

  it('runs three masters with no replicas covering every slot, none on 6379', async () => {
    assert.equal(harness.nodes.length, 3);
    assert.equal(new Set(harness.nodes.map((node) => node.port)).size, 3);
    for (const node of harness.nodes) {
      assert.equal(node.host, '127.0.0.1');
      assert.notEqual(node.port, 6379);
    }
    for (const client of nodeClients) {
      const info = String(await client.cluster('INFO'));
      assert.match(info, /^cluster_state:ok\r?$/m);
      assert.match(info, /^cluster_slots_assigned:16384\r?$/m);
      assert.match(info, /^cluster_size:3\r?$/m);
      const lines = String(await client.cluster('NODES'))
        .trim()
        .split('\n');
      assert.equal(lines.length, 3);
      assert.equal(lines.filter((line) => /\bmaster\b/.test(line)).length, 3);
      assertEvery(lines, (line) => !/\b(slave|fail\??|noaddr|handshake)\b/.test(line), lines.join('\n'));
      const ports = lines.map((line) => Number(/127\.0\.0\.1:(\d+)@/.exec(line)?.[1])).sort();
      assert.deepEqual(ports, harness.nodes.map((node) => node.port).sort());
    }
  });

  it('stores keys in different slots on different masters through the cluster client', async () => {
    const keys = ['a', 'b', 'c', '{acme}:x', '{acme}:y'];
    for (const key of keys) await cluster.set(key, `value of ${key}`);
    for (const key of keys) assert.equal(await cluster.get(key), `value of ${key}`);

    const slots = await Promise.all(['a', 'b', 'c'].map((key) => cluster.cluster('KEYSLOT', key)));
    assert.equal(new Set(slots).size, 3, `a, b and c hash to distinct slots: ${slots.join(', ')}`);
    // Each of a, b and c is held by exactly one master, and the three are held by three different masters: asked
    // directly, the others answer MOVED.
    const owners = await Promise.all(
      ['a', 'b', 'c'].map(async (key) => {
        const answers = await Promise.all(
          nodeClients.map((client) =>
            client.get(key).then(
              (value) => value,
              (error: Error) => error,
            ),
          ),
        );
        const holders = answers.flatMap((answer, index) => (answer === `value of ${key}` ? [index] : []));
        assert.equal(holders.length, 1, `exactly one node holds ${key}`);
        for (const answer of answers) if (answer !== `value of ${key}`) assert.match(String(answer), /MOVED/);
        return holders[0];
      }),
    );
    assert.equal(new Set(owners).size, 3, `a, b and c are on three different masters: ${owners.join(', ')}`);
  });

  it('serves MGET of keys sharing a hash tag and refuses MGET across slots with CROSSSLOT', async () => {
    await cluster.set('{acme}:x', 'x');
    await cluster.set('{acme}:y', 'y');
    assert.equal(await cluster.cluster('KEYSLOT', '{acme}:x'), await cluster.cluster('KEYSLOT', '{acme}:y'));
    assert.deepEqual(await cluster.mget('{acme}:x', '{acme}:y'), ['x', 'y']);

    await cluster.set('a', '1');
    await cluster.set('b', '2');
    await assert.rejects(cluster.mget('a', 'b'), /CROSSSLOT/);
  });

  it('stops a master as a crash would and restarts it, empty, back into a healthy cluster', async () => {
    const keys = ['a', 'b', 'c'];
    const values = await Promise.all(keys.map((key) => cluster.get(key)));
    assertEvery(values, (value) => value !== null);
    // The shared clients would see the crash; this test uses its own.
    for (const client of nodeClients) client.disconnect();
    nodeClients = [];
    cluster.disconnect();

    const first = direct(harness.nodes[0]!);
    await first.connect();
    const held = await Promise.all(
      keys.map((key) =>
        first.get(key).then(
          (value) => value !== null,
          () => false,
        ),
      ),
    );
    first.disconnect();
    const lost = keys.filter((_, index) => held[index]);
    assert.equal(lost.length, 1, 'node 0 holds one of a, b and c');

    await harness.stopNode(0);
    const refused = direct(harness.nodes[0]!);
    refused.on('error', () => {}); // the rejection below is the point; ioredis need not also log it
    await assert.rejects(refused.connect());
    refused.disconnect();

    await harness.restartNode(0);
    const clients = harness.nodes.map(direct);
    try {
      await Promise.all(clients.map((client) => client.connect()));
      for (const client of clients) assert.match(String(await client.cluster('INFO')), /^cluster_state:ok\r?$/m);
    } finally {
      for (const client of clients) client.disconnect();
    }
    const again = new Cluster(harness.nodes, { clusterRetryStrategy: () => null, redisOptions: { maxRetriesPerRequest: 0 } });
    try {
      for (const [index, key] of keys.entries()) {
        assert.equal(await again.get(key), lost.includes(key) ? null : values[index], `${key} after the restart`);
      }
      await again.set(lost[0]!, 'written after the restart');
      assert.equal(await again.get(lost[0]!), 'written after the restart');
    } finally {
      again.disconnect();
    }
  });

  it('fails with messages naming redis-server or redis-cli when either is not on PATH', () => {
    const script = `import(${JSON.stringify(fromRoot('dist', 'test', 'support', 'redisCluster.js'))}).then((m) => m.RedisClusterHarness.start()).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3); });`;
    const run = (path: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: path }, encoding: 'utf8' });

    const noServer = run('/nonexistent');
    assert.equal(noServer.status, 3);
    assert.match(noServer.stderr, /redis-server is not installed/);

    const onlyServer = mkdtempSync(join(tmpdir(), 'fingraph-redis-path-'));
    try {
      const server = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
      symlinkSync(server, join(onlyServer, 'redis-server'));
      const noCli = run(onlyServer);
      assert.equal(noCli.status, 3);
      assert.match(noCli.stderr, /redis-cli is not installed/);
    } finally {
      rmSync(onlyServer, { recursive: true, force: true });
    }
  });
});
