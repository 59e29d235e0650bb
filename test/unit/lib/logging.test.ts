// Log redaction: secrets and personal data never reach a log line in clear.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../../../lib/logging/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _e, done) { lines.push(chunk.toString()); done(); } });
  return { lines, logger: createLogger('test', { destination }) };
}

describe('logger redaction', () => {
  it('redacts authorization headers, tokens, tax ids, dates of birth and account numbers at any depth', () => {
    const { lines, logger } = capture();
    logger.info({
      req: { headers: { authorization: 'Bearer eyJhbGciOi.secret.sig', 'x-fingraph-principal': 'v1.abc.def' } },
      customer: { taxId: '123-45-6789', dateOfBirth: '1980-02-03', name: 'Ada' },
      account: { accountNumber: '40400412345678', iban: 'GB33BUKB20201555555555' },
      token: 'tok_live_abcdef',
    }, 'request');
    const line = lines.join('');
    for (const secret of ['eyJhbGciOi', 'v1.abc.def', '123-45-6789', '1980-02-03', '40400412345678', 'GB33BUKB20201555555555', 'tok_live_abcdef']) {
      assert.ok(!line.includes(secret), `${secret} leaked into ${line}`);
    }
    assert.ok(line.includes('[REDACTED]'));
    assert.ok(line.includes('Ada'), 'non-sensitive fields stay readable');
    const parsed = JSON.parse(line) as { level: string; service: string };
    assert.equal(parsed.level, 'info');
    assert.equal(parsed.service, 'test');
  });
});
