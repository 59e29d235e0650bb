// The rate limiter's settings: defaults, plans, and every malformed value refused at start-up naming its variable;
// and the count of guarded fields an operation asks for (aliases, fragments, page sizes).
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { type FragmentDefinitionNode, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { readCostLimits } from '../../../gateway/plugins/cost/options.js';
import { readRateLimitOptions } from '../../../gateway/plugins/rateLimits/config.js';
import { countFields } from '../../../gateway/plugins/rateLimits/fieldCounts.js';
import { rateLimitHeaders } from '../../../gateway/plugins/rateLimits/headers.js';
import { clientAddress } from '../../../gateway/plugins/rateLimits/index.js';
import { ConfigError } from '../../../lib/config/env.js';

const refusedFor = (variable: string) => (error: unknown) => error instanceof ConfigError && error.variable === variable;

describe('rate limit settings', () => {
  it('has defaults: one default plan, half of it per client, and stricter payment and bureau budgets', () => {
    const options = readRateLimitOptions({});
    assert.equal(options.enabled, true);
    assert.deepEqual([...options.plans], [['default', { units: 1000, periodSeconds: 1, burst: 20000 }]]);
    // A client's half of the default burst holds the largest operation the default cost maximum admits.
    const maxCost = readCostLimits({}).maxPerOperation;
    assert.ok((options.plans.get('default')?.burst ?? 0) * options.clientShare >= maxCost);
    assert.equal(options.clientShare, 0.5);
    assert.deepEqual(options.ip, { units: 5, periodSeconds: 1, burst: 50 });
    assert.deepEqual(options.payments, { units: 10, periodSeconds: 60, burst: 5 });
    assert.deepEqual(options.creditReports, { units: 10, periodSeconds: 60, burst: 5 });
    assert.equal(options.replicas, 1);
    assert.equal(options.trustedProxyHops, 0);
    assert.equal(options.redisTimeoutMs, 100);
  });

  it('reads plans and refuses malformed ones, a missing default, and out-of-range values', () => {
    const options = readRateLimitOptions({ RATE_LIMIT_PLANS: 'default=50/1:200, gold=0.5/1:2', GATEWAY_REPLICAS: '3' });
    assert.deepEqual(options.plans.get('gold'), { units: 0.5, periodSeconds: 1, burst: 2 });
    assert.equal(options.replicas, 3);
    for (const plans of [
      'gold=1/1:10',
      'default=1/1',
      'default=0/1:5',
      'default=1/1:0.5',
      'default=1/1:5,default=2/1:5',
      'Default=1/1:1',
    ]) {
      assert.throws(() => readRateLimitOptions({ RATE_LIMIT_PLANS: plans }), refusedFor('RATE_LIMIT_PLANS'), plans);
    }
    assert.throws(() => readRateLimitOptions({ RATE_LIMIT_IP: '5 per second' }), refusedFor('RATE_LIMIT_IP'));
    assert.throws(() => readRateLimitOptions({ RATE_LIMIT_PAYMENTS: '1/0:1' }), refusedFor('RATE_LIMIT_PAYMENTS'));
    assert.throws(() => readRateLimitOptions({ RATE_LIMIT_CREDIT_REPORTS: '-1/60:5' }), refusedFor('RATE_LIMIT_CREDIT_REPORTS'));
    assert.throws(() => readRateLimitOptions({ RATE_LIMIT_CLIENT_SHARE: '0' }), refusedFor('RATE_LIMIT_CLIENT_SHARE'));
    assert.throws(() => readRateLimitOptions({ RATE_LIMIT_CLIENT_SHARE: '1.5' }), refusedFor('RATE_LIMIT_CLIENT_SHARE'));
    assert.throws(() => readRateLimitOptions({ GATEWAY_REPLICAS: '0' }), refusedFor('GATEWAY_REPLICAS'));
    assert.throws(() => readRateLimitOptions({ RATE_LIMIT_ENABLED: 'maybe' }), refusedFor('RATE_LIMIT_ENABLED'));
    // Off only in development (benchmarks); a deployment cannot switch its budgets off.
    assert.throws(() => readRateLimitOptions({ RATE_LIMIT_ENABLED: 'false' }), refusedFor('RATE_LIMIT_ENABLED'));
    assert.throws(() => readRateLimitOptions({ NODE_ENV: 'staging', RATE_LIMIT_ENABLED: 'false' }), refusedFor('RATE_LIMIT_ENABLED'));
    assert.equal(readRateLimitOptions({ NODE_ENV: 'development', RATE_LIMIT_ENABLED: 'false' }).enabled, false);
    assert.throws(() => readRateLimitOptions({ RATE_LIMIT_TRUSTED_PROXY_HOPS: '-1' }), refusedFor('RATE_LIMIT_TRUSTED_PROXY_HOPS'));
    assert.throws(() => readRateLimitOptions({ RATE_LIMIT_REDIS_TIMEOUT_MS: '5' }), refusedFor('RATE_LIMIT_REDIS_TIMEOUT_MS'));
  });
});

describe('guarded field counts', () => {
  const count = (source: string, variables: Record<string, unknown> = {}) => {
    const document = parse(source);
    const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
    const fragments = new Map(
      document.definitions
        .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
        .map((fragment) => [fragment.name.value, fragment]),
    );
    return Object.fromEntries(countFields({ operation, fragments, variables, names: ['initiatePayment', 'creditReport'] }));
  };

  it('counts aliases, fragments and inline fragments, and multiplies by the page sizes above', () => {
    assert.deepEqual(count('mutation { a: initiatePayment(input: {}) { x } b: initiatePayment(input: {}) { x } }'), { initiatePayment: 2 });
    assert.deepEqual(count('{ customer(id: 1) { ...R ... on Customer { ...R } } } fragment R on Customer { creditReport { score } }'), {
      creditReport: 2,
    });
    assert.deepEqual(count('query ($n: Int = 7) { customers(first: $n) { edges { node { creditReport { score } } } } }'), {
      creditReport: 7,
    });
    assert.deepEqual(count('query ($n: Int = 7) { customers(first: $n) { edges { node { creditReport { score } } } } }', { n: 40 }), {
      creditReport: 40,
    });
    assert.deepEqual(count('{ institutions { id } }'), {});
  });

  it('walks a fragment spread many times once (linear in the document)', () => {
    const levels = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Customer { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const counted = count(`{ customer(id: 1) { ...F0 } } ${levels} fragment F30 on Customer { creditReport { score } }`);
    assert.equal(counted.creditReport, 2 ** 30, 'two to the thirtieth, computed without walking it');
  });
});

describe('RateLimit header fields', () => {
  it('lists each budget with its quota and window, what is left, and Retry-After for the one that refused', () => {
    const headers = rateLimitHeaders([
      {
        policy: 'tenant',
        rate: { units: 100, periodSeconds: 1, burst: 1000 },
        allowed: true,
        remaining: 998,
        retryAfterSeconds: 0,
        resetSeconds: 1,
      },
      {
        policy: 'payments',
        rate: { units: 10, periodSeconds: 60, burst: 5 },
        allowed: false,
        remaining: 0,
        retryAfterSeconds: 6,
        resetSeconds: 30,
      },
    ]);
    assert.deepEqual(headers, {
      'ratelimit-policy': '"tenant";q=1000;w=10, "payments";q=5;w=30',
      ratelimit: '"tenant";r=998;t=1, "payments";r=0;t=30',
      'retry-after': '6',
    });
  });
});

describe('the address an IP budget is charged to', () => {
  const request = (forwarded?: string) =>
    ({ socket: { remoteAddress: '10.0.0.9' }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} }) as unknown as IncomingMessage;

  it("is the socket's unless proxies are trusted, then the one the outermost trusted proxy appended", () => {
    assert.equal(clientAddress(request('1.2.3.4'), 0), '10.0.0.9', 'without trusted proxies a forwarded header is the client talking');
    assert.equal(clientAddress(request('6.6.6.6, 203.0.113.7'), 1), '203.0.113.7', 'the entry the one proxy wrote, not the forged one');
    assert.equal(clientAddress(request('6.6.6.6, 203.0.113.7, 10.1.1.1'), 2), '203.0.113.7');
    assert.equal(clientAddress(request(), 1), '10.0.0.9', 'no header: the socket');
    assert.equal(clientAddress(request('6.6.6.6'), 2), '10.0.0.9', 'fewer entries than trusted proxies: none is believed');
  });
});
