// The shape limits hold for a document sent only by its hash (an automatic persisted query), which the edge never
// sees as text: a gateway with loose limits registers it on the shared Redis, and one with the defaults, reading it by
// hash, refuses it in its Apollo plugin before anything is planned.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type InProcessGateway, limitToken, rateLimitGatewayEnv, startRateLimitGateway } from '../support/rateLimitGateway.js';
import { RedisHarness } from '../support/redis.js';

describe('shape limits on a persisted query sent by hash', () => {
  let redis: RedisHarness;
  let loose: InProcessGateway;
  let strict: InProcessGateway;
  before(async () => {
    redis = await RedisHarness.start();
    loose = await startRateLimitGateway(rateLimitGatewayEnv(redis.url, { GATEWAY_MAX_ALIASES: '100', GATEWAY_MAX_ROOT_FIELDS: '100' }));
    strict = await startRateLimitGateway(rateLimitGatewayEnv(redis.url, {}));
  });
  after(async () => {
    await loose?.server.close();
    await strict?.server.close();
    await redis?.close();
  });

  it('refuses by hash what the limits refuse as text', async () => {
    // Twenty aliases: within the loose gateway's limits, over the default 15.
    const query = `{ ${Array.from({ length: 20 }, (_, index) => `a${index}: __typename`).join(' ')} }`;
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    const token = limitToken({ tenant: 'tenant-q', sub: 'u' });
    const post = async (url: string, body: unknown) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> } };
    };
    const registered = await post(loose.url, { query, extensions: { persistedQuery } });
    assert.equal(registered.status, 200, 'registered on the shared Redis by the loose gateway');
    const byHash = await post(strict.url, { extensions: { persistedQuery } });
    assert.equal(byHash.status, 400);
    assert.deepEqual(byHash.body.errors?.[0]?.extensions, { code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 15, actual: 20 });
  });
});
