// Where the keys that verify access tokens come from: PEM files (several at once, for rotation), or a JWKS URL that is
// fetched at start, cached, and refetched on an unknown `kid` no more than once per interval (so a flood of tokens
// with invented kids cannot turn the gateway into a load generator against the identity provider).
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { keyThumbprint } from '../../../lib/auth/keyThumbprint.js';
import type { Logger } from '../../../lib/logging/logger.js';

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

export function pemKeyStore(files: readonly string[]): KeyStore {
  const keys = files.flatMap((file) => {
    const key = createPublicKey(readFileSync(file, 'utf8'));
    const stem = file.split('/').at(-1)?.replace(/\.pem$/, '');
    return [{ kid: keyThumbprint(key), key }, ...(stem ? [{ kid: stem, key }] : [])];
  });
  return {
    async candidates(kid) {
      if (kid === undefined) return [...new Map(keys.map((entry) => [entry.key, entry])).values()];
      return keys.filter((entry) => entry.kid === kid);
    },
  };
}

export interface JwksOptions {
  readonly url: string;
  /** Least time between two fetches of the key set; default 60 000 ms. */
  readonly refetchIntervalMillis: number;
  readonly timeoutMillis: number;
  readonly logger: Logger;
}

export function jwksKeyStore(options: JwksOptions): KeyStore & { refresh(): Promise<void> } {
  let keys: VerificationKey[] = [];
  let lastFetch = 0;
  let inFlight: Promise<void> | undefined;

  async function fetchKeys(): Promise<void> {
    lastFetch = Date.now();
    try {
      const response = await request(options.url, { method: 'GET', headersTimeout: options.timeoutMillis, bodyTimeout: options.timeoutMillis });
      const body = (await response.body.json()) as { keys?: unknown };
      if (response.statusCode !== 200 || !Array.isArray(body.keys)) throw new Error(`status ${response.statusCode}`);
      const parsed: VerificationKey[] = [];
      for (const jwk of body.keys as Array<JsonWebKey & { kid?: string; use?: string; alg?: string }>) {
        if (jwk.use !== undefined && jwk.use !== 'sig') continue;
        if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') continue;
        try {
          parsed.push({ kid: jwk.kid, key: createPublicKey({ key: jwk, format: 'jwk' }), ...(jwk.alg ? { alg: jwk.alg } : {}) });
        } catch {
          options.logger.warn({ kid: jwk.kid }, 'unusable key in key set skipped');
        }
      }
      keys = parsed;
      options.logger.info({ keys: parsed.length }, 'key set loaded');
    } catch (error) {
      // Keep the keys we had: an identity provider's hiccup must not log every user out.
      options.logger.warn({ reason: error instanceof Error ? error.message : 'unknown' }, 'key set fetch failed');
    }
  }

  const refresh = () => {
    inFlight ??= fetchKeys().finally(() => { inFlight = undefined; });
    return inFlight;
  };

  return {
    refresh,
    async candidates(kid) {
      const known = keys.filter((entry) => kid === undefined || entry.kid === kid);
      if (known.length > 0) return known;
      if (Date.now() - lastFetch >= options.refetchIntervalMillis) await refresh();
      return keys.filter((entry) => kid === undefined || entry.kid === kid);
    },
  };
}
