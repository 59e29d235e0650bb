// Each service as deployed (its own process, its own entry point) under production rules: with NODE_ENV unset or
// `staging` and no settings it refuses to start, exit code 78, one message naming every missing variable; given the
// production settings it starts, answers its health check, and stops cleanly.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.js';
import { productionEnv, productionVariables, type ServiceName, serviceNames } from '../support/productionEnv.js';
import { RedisHarness } from '../support/redis.js';
import { startService } from '../support/serviceProcess.js';

const entries: Record<ServiceName, string> = {
  gateway: 'gateway/index.js',
  accounts: 'subgraphs/accounts/index.js',
  identity: 'subgraphs/identity/index.js',
  payments: 'subgraphs/payments/index.js',
  credit: 'subgraphs/credit/index.js',
};

describe('services under production rules', () => {
  let redis: RedisHarness;
  before(async () => {
    redis = await RedisHarness.start();
  });
  after(async () => {
    await redis.close();
  });

  for (const NODE_ENV of [undefined, 'staging']) {
    it(`refuse to start with NODE_ENV ${NODE_ENV ?? 'unset'} and no settings, naming every missing variable`, async () => {
      const runs = serviceNames.map((service) => startService(service, entries[service], { NODE_ENV }));
      for (const [index, run] of runs.entries()) {
        const service = serviceNames[index] as ServiceName;
        assert.equal(await run.exited(), 78, `${service}:\n${run.output()}`);
        const lines = run.output().trim().split('\n');
        assert.equal(lines.length, 1, `one line from ${service}:\n${run.output()}`);
        assert.match(lines[0] as string, new RegExp(`^${service}: configuration error: production rules apply`));
        for (const variable of productionVariables[service])
          assert.match(lines[0] as string, new RegExp(`\\b${variable}\\b`), `${service} names ${variable}`);
        assert.doesNotMatch(run.output(), /\n\s+at /, 'no stack trace');
      }
    });
  }

  it('start with the production settings, answer their health check and stop cleanly', async () => {
    const ports = await freePorts(serviceNames.length);
    const runs = serviceNames.map((service, index) => {
      const port = String(ports[index]);
      return {
        service,
        port,
        run: startService(service, entries[service], {
          NODE_ENV: 'staging',
          LOG_LEVEL: 'warn',
          ...productionEnv(service, { redisUrl: redis.url }),
          [service === 'gateway' ? 'GATEWAY_PORT' : `${service.toUpperCase()}_PORT`]: port,
        }),
      };
    });
    try {
      for (const { port, run } of runs) await run.healthy(`http://127.0.0.1:${port}/healthz`);
      // A client's request id names nothing at the public gateway outside development (it could join two requests in
      // the audit trail); a subgraph's caller is the gateway, whose ids it keeps.
      for (const { service, port } of runs) {
        const answer = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { 'x-request-id': 'client-chosen-0001' } });
        const id = answer.headers.get('x-request-id');
        if (service === 'gateway') {
          assert.ok(id && id !== 'client-chosen-0001', `the gateway made its own id, got ${id}`);
        } else {
          assert.equal(id, 'client-chosen-0001', service);
        }
      }
    } finally {
      // Every service is stopped before any exit code is judged, so a failure leaves no process behind.
      const codes = await Promise.all(runs.map(({ run }) => run.stop()));
      for (const [index, { service, run }] of runs.entries()) assert.equal(codes[index], 0, `${service} stops cleanly:\n${run.output()}`);
    }
  });
});
