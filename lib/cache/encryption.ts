// AES-256-GCM for the values of sensitive policies. The stored form names the key id, so keys rotate without a flush
// (new writes use the current key, older ones stay readable while their key is kept), and the cache key is the
// additional authenticated data, so a ciphertext copied under another key (another tenant's) fails to decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface EncryptionKeys {
  /** Key id to 32-byte key. Keep a retired key here until entries written under it have expired. */
  readonly keys: ReadonlyMap<string, Buffer>;
  /** The key id new values are encrypted under. */
  readonly current: string;
}

export const keyIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
const FORMAT = 'e1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class EncryptionKeyError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

export function getValidEncryptionKeys(keys: EncryptionKeys): EncryptionKeys {
  if (keys.keys.size === 0) throw new EncryptionKeyError('cache encryption: expected at least one key, got none');
  for (const [kid, key] of keys.keys) {
    if (!keyIdPattern.test(kid))
      throw new EncryptionKeyError(`cache encryption key id: expected ${keyIdPattern}, got ${JSON.stringify(kid)}`);
    // The key itself is never quoted in a message.
    if (key.length !== 32) throw new EncryptionKeyError(`cache encryption key ${kid}: expected 32 bytes, got ${key.length}`);
  }
  if (!keys.keys.has(keys.current)) {
    throw new EncryptionKeyError(`cache encryption: current key id ${JSON.stringify(keys.current)} is not among the keys`);
  }
  return keys;
}

/** A random key for this process only: values it encrypts are unreadable by any other process. */
export function randomEncryptionKeys(): EncryptionKeys {
  const kid = `ephemeral-${randomBytes(6).toString('hex')}`;
  return { keys: new Map([[kid, randomBytes(32)]]), current: kid };
}

export function isEncryptedForm(stored: string): boolean {
  return stored.startsWith(`${FORMAT}.`);
}

export class ValueCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: string;

  constructor(keys: EncryptionKeys) {
    getValidEncryptionKeys(keys);
    // Copied, so a caller that later zeroes or changes its buffers does not change ours.
    this.keys = new Map([...keys.keys].map(([kid, key]) => [kid, Buffer.from(key)]));
    this.current = keys.current;
  }

  get currentKeyId(): string {
    return this.current;
  }

  /** `e1.<kid>.<iv>.<tag>.<ciphertext>`, each binary part base64url. */
  encrypt(plaintext: string, aad: string): string {
    const key = this.keys.get(this.current) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      FORMAT,
      this.current,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ciphertext.toString('base64url'),
    ].join('.');
  }

  /** The plaintext, or undefined when the form is wrong, the key id unknown, or the data or AAD was altered. */
  decrypt(stored: string, aad: string): string | undefined {
    const fields = stored.split('.');
    if (fields.length !== 5 || fields[0] !== FORMAT) return undefined;
    const [, kid, ivText, tagText, ciphertextText] = fields as [string, string, string, string, string];
    const key = this.keys.get(kid);
    if (!key) return undefined;
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
