// Where the keys that verify access tokens come from: PEM files (several at once, for rotation) here, or a JWKS URL
// (jwksKeyStore.ts). Both answer the authenticator through one small interface.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { keyThumbprint } from '../../../lib/auth/keyThumbprint.js';

export interface VerificationKey {
  readonly kid: string | undefined;
  readonly key: KeyObject;
  /** The one algorithm the key set published this key for, when it says (a JWK's `alg`). */
  readonly alg?: string;
}

export interface KeyStore {
  /** Keys that may have signed a token with this kid (all keys when the token names none). A PEM key answers to its
   * RFC 7638 thumbprint and to its file name without .pem. */
  candidates(kid: string | undefined): Promise<readonly VerificationKey[]>;
}

/** No key set can be trusted: none was ever fetched, or fetches failed past the grace. Every token is refused. */
export class KeySetUnavailable extends Error {
  constructor() {
    super("no trusted key set: the identity provider's key set could not be fetched within its max age and grace");
    this.name = 'KeySetUnavailable';
  }
}

export function pemKeyStore(files: readonly string[]): KeyStore {
  const keys = files.flatMap((file) => {
    const key = createPublicKey(readFileSync(file, 'utf8'));
    const stem = file
      .split('/')
      .at(-1)
      ?.replace(/\.pem$/, '');
    return [{ kid: keyThumbprint(key), key }, ...(stem ? [{ kid: stem, key }] : [])];
  });
  return {
    async candidates(kid) {
      if (kid === undefined) return [...new Map(keys.map((entry) => [entry.key, entry])).values()];
      return keys.filter((entry) => entry.kid === kid);
    },
  };
}
