// The test harness's private Redis: starts on a free port (never 6379), can be killed and restarted, and fails clearly
// when redis-server is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { fromRoot } from '../../../lib/config/paths.js';
import { RedisHarness } from '../../support/redis.js';

describe('redis harness', () => {
  let harness: RedisHarness;
  before(async () => {
    harness = await RedisHarness.start();
  });
  after(async () => {
    await harness.close();
  });

  it('runs a private server that can be stopped and restarted on the same port', async () => {
    assert.notEqual(harness.port, 6379);
    const client = new Redis(harness.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    await client.connect();
    await client.set('probe', 'before');
    assert.equal(await client.get('probe'), 'before');
    client.disconnect();

    await harness.stop();
    const refused = new Redis(harness.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    await assert.rejects(refused.connect());
    refused.disconnect();

    await harness.restart();
    const again = new Redis(harness.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    await again.connect();
    assert.equal(await again.get('probe'), null, 'a restarted server starts empty');
    again.disconnect();
  });

  it('fails with a message naming redis-server when the binary is not on PATH', () => {
    const script = `import(${JSON.stringify(fromRoot('dist', 'test', 'support', 'redis.js'))}).then((m) => m.RedisHarness.start()).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3); });`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
    assert.equal(run.status, 3);
    assert.match(run.stderr, /redis-server is not installed/);
  });
});
