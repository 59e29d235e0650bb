// AES-256-GCM at rest: no plaintext in the stored form, keys rotate by id, and any alteration or a move to another
// key is a failed decryption (a miss), never an exception or a wrong value.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { EncryptionKeyError, ValueCipher } from '../../../lib/cache/encryption.js';
import { encryptionKeys } from './fixtures.js';

const secret = '{"iban":"GB33BUKB20201555555555","name":"Ada Lovelace"}';
const aad = 'fg:{acme}:accounts:v1.1:abc';

function flip(text: string, index: number): string {
  const char = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + char + text.slice(index + 1);
}

describe('value encryption', () => {
  it('hides the plaintext, names its key id, and uses a fresh IV each time', () => {
    const cipher = new ValueCipher(encryptionKeys('k1'));
    const one = cipher.encrypt(secret, aad);
    const two = cipher.encrypt(secret, aad);
    assert.notEqual(one, two);
    assert.match(one, /^e1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    for (const text of ['GB33', 'Ada', 'iban']) assert.ok(!one.includes(text));
    assert.equal(cipher.decrypt(one, aad), secret);
  });

  it('reads values written under a retired key while it is kept, and writes under the current one', () => {
    const written = new ValueCipher(encryptionKeys('old')).encrypt(secret, aad);
    const rotated = new ValueCipher(encryptionKeys('new', 'old'));
    assert.equal(rotated.decrypt(written, aad), secret);
    assert.ok(rotated.encrypt(secret, aad).startsWith('e1.new.'));
    assert.equal(new ValueCipher(encryptionKeys('new')).decrypt(written, aad), undefined, 'unknown key id');
  });

  it('fails to decrypt anything altered, or moved under another cache key', () => {
    const cipher = new ValueCipher(encryptionKeys('k1'));
    const stored = cipher.encrypt(secret, aad);
    const [format, kid, iv, tag, body] = stored.split('.') as [string, string, string, string, string];
    const altered = [
      [format, kid, iv, tag, flip(body, 3)].join('.'),
      [format, kid, iv, flip(tag, 0), body].join('.'),
      [format, kid, flip(iv, 0), tag, body].join('.'),
      [format, kid, iv, tag].join('.'),
      `x${stored}`,
      '',
    ];
    for (const text of altered) assert.equal(cipher.decrypt(text, aad), undefined, text);
    assert.equal(cipher.decrypt(stored, 'fg:{globex}:accounts:v1.1:abc'), undefined);
    assert.equal(cipher.decrypt(stored, aad), secret);
  });

  it('refuses short keys and a current id that is not among the keys', () => {
    assert.throws(() => new ValueCipher({ keys: new Map([['k', randomBytes(16)]]), current: 'k' }), EncryptionKeyError);
    assert.throws(() => new ValueCipher({ keys: new Map([['k', randomBytes(32)]]), current: 'other' }), EncryptionKeyError);
    assert.throws(() => new ValueCipher({ keys: new Map([['bad.id', randomBytes(32)]]), current: 'bad.id' }), EncryptionKeyError);
  });
});
