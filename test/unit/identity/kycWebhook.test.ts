// X-SHA2-Signature verification: the hex HMAC-SHA256 of the exact raw bytes with the webhook token, nothing else.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { isValidSignature } from '../../../subgraphs/identity/connectors/onfido/index.js';

const token = 'a-webhook-token-for-this-test';
const body = Buffer.from('{"payload":{"resource_type":"check","action":"check.completed","object":{"id":"c1"}}}');
const hex = (data: Buffer, key = token) => createHmac('sha256', key).update(data).digest('hex');

describe('KYC webhook signature', () => {
  it('accepts the signature of the exact body, in either hex case', () => {
    assert.equal(isValidSignature(body, hex(body), token), true);
    assert.equal(isValidSignature(body, hex(body).toUpperCase(), token), true);
  });

  it('refuses another key, another body, a truncated, padded, prefixed or missing signature', () => {
    assert.equal(isValidSignature(body, hex(body, 'another-token'), token), false);
    assert.equal(isValidSignature(body, hex(Buffer.concat([body, Buffer.from(' ')])), token), false);
    assert.equal(isValidSignature(body, hex(body).slice(0, 62), token), false);
    assert.equal(isValidSignature(body, `${hex(body)}00`, token), false);
    assert.equal(isValidSignature(body, `sha256=${hex(body)}`, token), false);
    assert.equal(isValidSignature(body, undefined, token), false);
    assert.equal(isValidSignature(body, '', token), false);
  });
});
