// The circuit breaker: opens after consecutive failures, refuses without calling the store while open, lets exactly
// one probe through after the cool-down, and logs one warning per outage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker } from '../../../lib/cache/breaker.js';
import { StoreUnavailableError } from '../../../lib/cache/store.js';
import { captureLogs } from './fixtures.js';

const down = async (): Promise<never> => {
  throw new Error('Connection is closed.');
};

function replyError(message: string): Error {
  return Object.assign(new Error(message), { name: 'ReplyError' });
}

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive failures and then refuses without running the operation', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000, now: () => now });
    await assert.rejects(breaker.run(down));
    await assert.rejects(breaker.run(down));
    assert.equal(await breaker.run(async () => 'ok'), 'ok', 'a success resets the run of failures');
    for (let i = 0; i < 3; i += 1) await assert.rejects(breaker.run(down), /Connection is closed/);
    assert.equal(breaker.state, 'open');
    let ran = false;
    await assert.rejects(
      breaker.run(async () => {
        ran = true;
      }),
      StoreUnavailableError,
    );
    assert.equal(ran, false);
    now = 999;
    await assert.rejects(
      breaker.run(async () => {
        ran = true;
      }),
      StoreUnavailableError,
    );
    assert.equal(ran, false);
    assert.equal(breaker.refused, 2, 'each refusal is counted');
  });

  it('lets one probe through after the cool-down: success closes, failure reopens', async () => {
    let now = 0;
    const logs = captureLogs();
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 100, now: () => now, logger: logs.logger, name: 'redis-single' });
    await assert.rejects(breaker.run(down));
    await assert.rejects(breaker.run(down));
    now = 100;
    assert.equal(breaker.state, 'half-open');
    let release: () => void = () => undefined;
    const probe = breaker.run(
      () =>
        new Promise<never>((_resolve, reject) => {
          release = () => reject(new Error('timed out'));
        }),
    );
    await assert.rejects(
      breaker.run(async () => 'second'),
      StoreUnavailableError,
      'only one probe at a time',
    );
    release();
    await assert.rejects(probe, /timed out/);
    assert.equal(breaker.state, 'open');
    now = 150;
    await assert.rejects(
      breaker.run(async () => 'early'),
      StoreUnavailableError,
      'the failed probe started a new cool-down',
    );
    now = 200;
    assert.equal(await breaker.run(async () => 'back'), 'back');
    assert.equal(breaker.state, 'closed');

    const lines = logs.lines;
    assert.equal(lines.filter((line) => line.level === 'warn').length, 1, 'one warning for the outage, not one per failure');
    assert.equal(lines.filter((line) => line.level === 'info' && /closed/.test(line.msg)).length, 1);
    assert.equal(lines.find((line) => line.level === 'warn')?.store, 'redis-single');
  });

  it('does not count errors the server answered with, except those saying it cannot serve', async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 2,
      isFailure: (error) => !(error instanceof Error && error.name === 'ReplyError' && !/^LOADING/.test(error.message)),
    });
    for (let i = 0; i < 5; i += 1)
      await assert.rejects(
        breaker.run(async () => {
          throw replyError('WRONGTYPE');
        }),
      );
    assert.equal(breaker.state, 'closed');
    await assert.rejects(
      breaker.run(async () => {
        throw replyError('LOADING dataset');
      }),
    );
    await assert.rejects(
      breaker.run(async () => {
        throw replyError('LOADING dataset');
      }),
    );
    assert.equal(breaker.state, 'open');
  });
});
