// Tracing's configuration: off when TRACING_OTLP_ENDPOINT is unset or blank (whatever OTEL_* says), a bare collector
// origin gets OTLP's traces path, and a value that is not an http(s) URL stops a service's start with exit code 78.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../../lib/config/env.js';
import { fromRoot } from '../../../../lib/config/paths.js';
import { readTracingConfig, startTracing } from '../../../../lib/telemetry/index.js';

describe('tracing configuration', () => {
  it('is off when TRACING_OTLP_ENDPOINT is unset or blank, even with OpenTelemetry’s own variables set', () => {
    assert.equal(readTracingConfig({}), undefined);
    assert.equal(readTracingConfig({ TRACING_OTLP_ENDPOINT: '  ' }), undefined);
    assert.equal(
      readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'otlp', NODE_ENV: 'production' }),
      undefined,
    );
  });

  it('off starts nothing: no provider, and shutting it down is harmless', async () => {
    const tracing = startTracing({ service: 'test', config: readTracingConfig({}) });
    assert.equal(tracing.enabled, false);
    await tracing.shutdown();
  });

  it('takes a full traces URL as given, and adds /v1/traces to a bare origin', () => {
    const endpoint = (value: string) => readTracingConfig({ TRACING_OTLP_ENDPOINT: value })?.endpoint;
    assert.equal(endpoint('https://otel.example.com:4318/v1/traces'), 'https://otel.example.com:4318/v1/traces');
    assert.equal(endpoint('http://127.0.0.1:4318'), 'http://127.0.0.1:4318/v1/traces');
    assert.equal(endpoint('http://collector:4318/'), 'http://collector:4318/v1/traces');
  });

  it('records every request unless TRACING_SAMPLE_RATIO says what share, from 0 to 1', () => {
    const ratio = (value?: string) =>
      readTracingConfig({ TRACING_OTLP_ENDPOINT: 'http://collector:4318', ...(value === undefined ? {} : { TRACING_SAMPLE_RATIO: value }) })
        ?.sampleRatio;
    assert.equal(ratio(), 1);
    assert.equal(ratio('0.25'), 0.25);
    assert.equal(ratio('.5'), 0.5);
    assert.equal(ratio('0'), 0);
    assert.equal(ratio('1.0'), 1);
    for (const value of ['1.5', '-0.1', '25%', 'half', '1e-2']) {
      assert.throws(
        () => ratio(value),
        (error: unknown) => error instanceof ConfigError && error.variable === 'TRACING_SAMPLE_RATIO',
        value,
      );
    }
  });

  it('refuses a value that is not an http(s) URL, naming the variable', () => {
    for (const value of ['collector:4318', 'ftp://collector/v1/traces', 'not a url']) {
      assert.throws(
        () => readTracingConfig({ TRACING_OTLP_ENDPOINT: value }),
        (error: unknown) => error instanceof ConfigError && error.variable === 'TRACING_OTLP_ENDPOINT',
        value,
      );
    }
  });

  it('stops a service at start with exit code 78 and one line naming the variable', () => {
    const run = spawnSync(process.execPath, [fromRoot('dist', 'subgraphs', 'accounts', 'index.js')], {
      env: { PATH: process.env.PATH, NODE_ENV: 'development', TRACING_OTLP_ENDPOINT: 'ftp://collector', ACCOUNTS_PORT: '0' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 78, run.stderr);
    assert.match(run.stderr, /^accounts: configuration error: TRACING_OTLP_ENDPOINT: expected an http\(s\) URL/m);
  });
});
