// GATEWAY_PROTECTIONS=off, the switch bench/ uses to measure what the edge's protections cost: in development it
// removes the shape limits (and the cost limit and rate limits with them); anywhere else it stops the gateway.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readGatewayConfig } from '../../gateway/config.js';
import { ConfigError } from '../../lib/config/env.js';
import { productionEnv } from '../support/productionEnv.js';
import { ask, type InProcessGateway, limitToken, rateLimitGatewayEnv, startRateLimitGateway } from '../support/rateLimitGateway.js';

// Twenty aliases: over the default alias limit (15), and nothing a subgraph is asked for.
const aliasFlood = `{ ${Array.from({ length: 20 }, (_, index) => `a${index}: __typename`).join(' ')} }`;

describe('gateway protections switched off', () => {
  let on: InProcessGateway;
  let off: InProcessGateway;
  before(async () => {
    on = await startRateLimitGateway(rateLimitGatewayEnv(undefined, {}));
    off = await startRateLimitGateway(rateLimitGatewayEnv(undefined, { GATEWAY_PROTECTIONS: 'off' }));
  });
  after(async () => {
    await on?.server.close();
    await off?.server.close();
  });

  it('serves what the protections refuse, and says so when it starts', async () => {
    const token = limitToken({ tenant: 'acme', sub: 'u' });
    const refused = await ask(on.url, aliasFlood, { token });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.codes, ['QUERY_TOO_COMPLEX']);
    const served = await ask(off.url, aliasFlood, { token });
    assert.equal(served.status, 200);
    assert.deepEqual(served.codes, []);
    assert.equal(served.headers.get('ratelimit'), null, 'no budget charged');
    assert.ok(off.logs.some((line) => line.level === 'warn' && String(line.msg).startsWith('GATEWAY_PROTECTIONS=off')));
  });

  it('is refused outside development', () => {
    const env = { ...productionEnv('gateway', { redisUrl: 'redis://127.0.0.1:1' }), GATEWAY_PROTECTIONS: 'off' };
    assert.throws(
      () => readGatewayConfig(env),
      (error: unknown) => error instanceof ConfigError && error.variable === 'GATEWAY_PROTECTIONS',
    );
    assert.equal(readGatewayConfig({ ...env, GATEWAY_PROTECTIONS: 'on' }).protections, 'on');
  });
});
