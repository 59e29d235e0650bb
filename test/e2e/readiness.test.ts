// /readyz follows the services' dependencies while /healthz stays liveness (issue 15): over a stack on a private Redis,
// every service is ready, not ready while that Redis is down (and still alive), and ready again once it is back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisHarness } from '../support/redis.js';
import { type Stack, startStack } from '../support/stack.js';

async function status(url: string, path: '/readyz' | '/healthz'): Promise<number> {
  const response = await fetch(new URL(path, url));
  await response.body?.cancel();
  return response.status;
}

/** Polls until every service answers /readyz with `expected`, or fails naming those that did not (ioredis reconnects
 * on its own back-off, so readiness returns within a few seconds, not at once). */
async function untilReady(urls: readonly string[], expected: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(urls.map((url) => status(url, '/readyz')));
    if (statuses.every((answer) => answer === expected)) return;
    if (Date.now() > deadline) assert.fail(`/readyz: ${urls.map((url, index) => `${url} ${statuses[index]}`).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('readiness over Redis', () => {
  let redis: RedisHarness;
  let stack: Stack;
  let urls: string[];

  before(async () => {
    redis = await RedisHarness.start();
    stack = await startStack({ redis });
    urls = [stack.gatewayUrl, ...Object.values(stack.subgraphUrls)];
  });

  after(async () => {
    await stack?.close();
    await redis?.close();
  });

  it('is ready while Redis answers', async () => {
    await untilReady(urls, 200);
  });

  it('is not ready while Redis is down, yet alive; ready again once it is back', async () => {
    await redis.stop();
    await untilReady(urls, 503);
    for (const url of urls) assert.equal(await status(url, '/healthz'), 200, url);
    await redis.restart();
    await untilReady(urls, 200);
  });
});
