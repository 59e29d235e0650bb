// Two gateway processes on one Redis enforce one budget (issue 14): a burst fired at both at once is admitted up to
// the burst in all, not per process, and after one refill interval they admit only what refilled. Redis keeps the
// limiter's time, which a test cannot move, so this one waits for the refill it is told of (Retry-After) and asserts
// counts, never durations: the margins allow one unit of refill while a burst is in flight.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../support/ports.js';
import { ask, burst, limitToken, rateLimitGatewayEnv } from '../support/rateLimitGateway.js';
import { RedisHarness } from '../support/redis.js';
import { type ServiceProcess, startService } from '../support/serviceProcess.js';

// One unit every 2 seconds, 4 at once, the whole tenant budget for one client. Two replicas, as deployed; Redis gets a
// second to answer, since the whole suite loads this machine and a charge it times out is judged locally instead.
const BURST = 4;
const env = {
  RATE_LIMIT_PLANS: `default=1/2:${BURST}`,
  RATE_LIMIT_CLIENT_SHARE: '1',
  GATEWAY_REPLICAS: '2',
  RATE_LIMIT_REDIS_TIMEOUT_MS: '1000',
  LOG_LEVEL: 'warn',
};

describe('two gateway processes sharing one Redis', () => {
  let redis: RedisHarness;
  const gateways: ServiceProcess[] = [];
  const urls: string[] = [];

  before(async () => {
    redis = await RedisHarness.start();
    const ports = await freePorts(2);
    for (const [index, port] of ports.entries()) {
      const gateway = startService(`gateway-${index}`, 'gateway/index.js', {
        ...rateLimitGatewayEnv(redis.url, env),
        GATEWAY_PORT: String(port),
      });
      gateways.push(gateway);
      urls.push(`http://127.0.0.1:${port}/graphql`);
    }
    await Promise.all(gateways.map((gateway, index) => gateway.healthy(urls[index]?.replace('/graphql', '/healthz') ?? '')));
  });

  after(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await redis?.close();
  });

  it('admit one burst between them, then only what the sustained rate refilled', async () => {
    // Each process answers once from Redis first (another tenant's budget), so the burst below meets both connected.
    const warmUp = limitToken({ tenant: 'tenant-warm', sub: 'u', azp: 'web' });
    for (const url of urls) assert.equal((await ask(url, '{ __typename }', { token: warmUp })).status, 200);
    const token = limitToken({ tenant: 'tenant-shared', sub: 'u', azp: 'web' });
    const send = (index: number) => ask(urls[index % 2] as string, '{ __typename }', { token });
    const first = await burst(16, send);
    // Alone, each process would admit 4 (8 in all). Shared: 4, or a unit more for each 2 s the burst was in flight (on
    // a loaded machine): within one burst of the rate, and always fewer than two processes alone would admit.
    assert.ok(first.admitted >= BURST && first.admitted < 2 * BURST, `admitted ${first.admitted} of 16 across both processes`);

    const refused = await send(0);
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
    await sleep(retryAfter * 1000);

    const second = await burst(16, send);
    // One refill interval later one unit is back (a few more only if the machine stalled): the sustained rate, far
    // below a fresh burst per process.
    assert.ok(second.admitted >= 1 && second.admitted < BURST, `admitted ${second.admitted} after one refill interval`);
    assert.equal(gateways.filter((gateway) => /Redis unreachable/.test(gateway.output())).length, 0, 'Redis answered throughout');
  });
});
