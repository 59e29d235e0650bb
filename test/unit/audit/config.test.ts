// The AUDIT_* settings: a store named outside development (never a silent default), day files in development, the
// stream checked as a file name, a database URL never echoed, and a checkpoint key that must be Ed25519.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { auditProductionSettings, readAuditConfig } from '../../../lib/audit/config.js';
import { ConfigError } from '../../../lib/config/env.js';
import { MissingSettingsError, requireProductionSettings } from '../../../lib/config/mode.js';

function refusal(read: () => unknown): ConfigError {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail('expected a ConfigError');
}

const keys = mkdtempSync(join(tmpdir(), 'fingraph-audit-config-'));
function pemFile(name: string, type: 'ed25519' | 'ec'): string {
  const { privateKey } = type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const file = join(keys, name);
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return file;
}

describe('audit configuration', () => {
  it('requires AUDIT_SINK outside development, then the folder or the database its store needs', () => {
    const missing = (env: Record<string, string | undefined>) => {
      try {
        requireProductionSettings(env, auditProductionSettings(env));
      } catch (error) {
        assert.ok(error instanceof MissingSettingsError);
        return error.variables;
      }
      return [];
    };
    const key = { AUDIT_SIGNING_KEY_FILE: '/etc/fingraph/audit-signing-key.pem' };
    assert.deepEqual(missing({}), ['AUDIT_SINK', 'AUDIT_SIGNING_KEY_FILE']);
    assert.deepEqual(missing({ NODE_ENV: 'staging', AUDIT_SINK: 'file', ...key }), ['AUDIT_DIRECTORY']);
    assert.deepEqual(missing({ AUDIT_SINK: 'postgres', ...key }), ['AUDIT_DATABASE_URL']);
    assert.deepEqual(missing({ AUDIT_SINK: 'file', AUDIT_DIRECTORY: '/var/lib/fingraph/audit' }), ['AUDIT_SIGNING_KEY_FILE']);
    assert.deepEqual(missing({ AUDIT_SINK: 'file', AUDIT_DIRECTORY: '/var/lib/fingraph/audit', ...key }), []);
    assert.deepEqual(missing({ NODE_ENV: 'development' }), []);
    assert.equal(refusal(() => readAuditConfig({}, 'gateway')).variable, 'AUDIT_SINK');
  });

  it('switches the trail off only in development, for the benchmark baseline', () => {
    assert.deepEqual(readAuditConfig({ NODE_ENV: 'development', AUDIT_SINK: 'off' }, 'gateway').store, { kind: 'off' });
    for (const mode of [undefined, 'production', 'staging']) {
      const refused = refusal(() => readAuditConfig({ NODE_ENV: mode, AUDIT_SINK: 'off', AUDIT_DIRECTORY: '/tmp' }, 'gateway'));
      assert.equal(refused.variable, 'AUDIT_SINK');
    }
  });

  it('defaults, in development, to day files in a folder of the process own, the service as its stream', () => {
    const config = readAuditConfig({ NODE_ENV: 'development' }, 'credit');
    assert.deepEqual(config.store, { kind: 'file', directory: undefined });
    assert.equal(config.stream, 'credit');
    assert.equal(config.maxQueuedRecords, 10_000);
    assert.equal(config.whenFull, 'refuse-regulated');
    assert.equal(config.signingKey, undefined);
  });

  it('reads a production store, stream, queue bound and refusal mode', () => {
    const config = readAuditConfig(
      {
        AUDIT_SINK: 'postgres',
        AUDIT_DATABASE_URL: 'postgres://audit_writer:pw@db.internal:5432/fingraph',
        AUDIT_STREAM: 'gateway-2',
        AUDIT_QUEUE_MAX_RECORDS: '50',
        AUDIT_WHEN_FULL: 'refuse-all',
      },
      'gateway',
    );
    assert.deepEqual(config.store, { kind: 'postgres', databaseUrl: 'postgres://audit_writer:pw@db.internal:5432/fingraph' });
    assert.equal(config.stream, 'gateway-2');
    assert.equal(config.maxQueuedRecords, 50);
    assert.equal(config.whenFull, 'refuse-all');
  });

  it('refuses a bad value naming its variable, and never echoes a connection string', () => {
    const dev = { NODE_ENV: 'development' };
    assert.equal(refusal(() => readAuditConfig({ ...dev, AUDIT_SINK: 'syslog' }, 'gateway')).variable, 'AUDIT_SINK');
    assert.equal(refusal(() => readAuditConfig({ ...dev, AUDIT_STREAM: '../etc' }, 'gateway')).variable, 'AUDIT_STREAM');
    assert.equal(refusal(() => readAuditConfig({ ...dev, AUDIT_QUEUE_MAX_RECORDS: '0' }, 'gateway')).variable, 'AUDIT_QUEUE_MAX_RECORDS');
    assert.equal(refusal(() => readAuditConfig({ ...dev, AUDIT_WHEN_FULL: 'ignore' }, 'gateway')).variable, 'AUDIT_WHEN_FULL');
    const url = refusal(() =>
      readAuditConfig({ ...dev, AUDIT_SINK: 'postgres', AUDIT_DATABASE_URL: 'mysql://u:secret-pw@h/db' }, 'gateway'),
    );
    assert.equal(url.variable, 'AUDIT_DATABASE_URL');
    assert.doesNotMatch(url.message, /secret-pw/);
  });

  it('takes an Ed25519 checkpoint key and its id, and refuses any other key or an unreadable file', () => {
    const dev = { NODE_ENV: 'development' };
    const config = readAuditConfig({ ...dev, AUDIT_SIGNING_KEY_FILE: pemFile('ed.pem', 'ed25519') }, 'gateway');
    assert.equal(config.signingKey?.privateKey.asymmetricKeyType, 'ed25519');
    assert.match(config.signingKey?.keyId ?? '', /^[0-9a-f]{16}$/);
    for (const file of [pemFile('ec.pem', 'ec'), join(keys, 'missing.pem')]) {
      assert.equal(refusal(() => readAuditConfig({ ...dev, AUDIT_SIGNING_KEY_FILE: file }, 'gateway')).variable, 'AUDIT_SIGNING_KEY_FILE');
    }
  });
});
