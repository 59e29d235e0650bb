// Log redaction: secrets and personal data never reach a log line in clear.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../../../lib/logging/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('test', { destination }) };
}

function assertNoneLeaked(line: string, secrets: readonly string[]) {
  for (const secret of secrets) assert.ok(!line.includes(secret), `${secret} leaked into ${line}`);
}

describe('logger redaction', () => {
  it('redacts authorization headers, tokens, tax ids, dates of birth and account numbers at the first three levels', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer eyJhbGciOi.secret.sig', 'x-fingraph-principal': 'v1.abc.def' } },
        customer: { taxId: '123-45-6789', dateOfBirth: '1980-02-03', name: 'Ada' },
        account: { accountNumber: '40400412345678', iban: 'GB33BUKB20201555555555' },
        token: 'tok_live_abcdef',
      },
      'request',
    );
    const line = lines.join('');
    assertNoneLeaked(line, [
      'eyJhbGciOi',
      'v1.abc.def',
      '123-45-6789',
      '1980-02-03',
      '40400412345678',
      'GB33BUKB20201555555555',
      'tok_live_abcdef',
    ]);
    assert.ok(line.includes('[REDACTED]'));
    assert.ok(line.includes('Ada'), 'non-sensitive fields stay readable');
    const parsed = JSON.parse(line) as { level: string; service: string };
    assert.equal(parsed.level, 'info');
    assert.equal(parsed.service, 'test');
  });

  it("redacts keys three and four levels deep, inside arrays of objects, and in an error's request config", () => {
    const { lines, logger } = capture();
    const upstreamError = Object.assign(new Error('request failed'), {
      config: { headers: { authorization: 'Bearer deep-error-token', accept: 'application/json' } },
    });
    logger.error(
      {
        err: upstreamError,
        depth3: { customer: { taxId: '987-65-4321', name: 'Grace' } },
        depth4: { a: { b: { accountNumber: '11112222333344', 'x-fingraph-principal': 'v1.deep.principal' } } },
        list: [
          { account: { taxId: '111-22-3333', nickname: 'first' } },
          { account: { taxId: '444-55-6666', iban: 'DE89370400440532013000' } },
        ],
      },
      'upstream failed',
    );
    const line = lines.join('');
    assertNoneLeaked(line, [
      'deep-error-token',
      '987-65-4321',
      '11112222333344',
      'v1.deep.principal',
      '111-22-3333',
      '444-55-6666',
      'DE89370400440532013000',
    ]);
    const parsed = JSON.parse(line) as {
      err: { message: string; config: { headers: { authorization: string; accept: string } } };
      depth4: { a: { b: { accountNumber: string } } };
      list: Array<{ account: { taxId: string; nickname?: string } }>;
    };
    assert.equal(parsed.err.config.headers.authorization, '[REDACTED]');
    assert.equal(parsed.err.config.headers.accept, 'application/json', 'neighbours of a secret stay readable');
    assert.equal(parsed.err.message, 'request failed');
    assert.equal(parsed.depth4.a.b.accountNumber, '[REDACTED]');
    assert.deepEqual(
      parsed.list.map((item) => item.account.taxId),
      ['[REDACTED]', '[REDACTED]'],
    );
    assert.equal(parsed.list[0]?.account.nickname, 'first');
    assert.ok(line.includes('Grace'));
  });

  it('leaves the logged object itself unchanged', () => {
    const { logger } = capture();
    const logged = { list: [{ account: { taxId: '123-45-6789' } }] };
    logger.info(logged, 'request');
    assert.equal(logged.list[0]?.account.taxId, '123-45-6789');
  });
});
