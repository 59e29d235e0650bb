// Turns the configured key source into what verifies a token's signature: a PEM key store, a JWKS key store (fetched
// once before the gateway listens, so the first request does not wait for it), or the one HS256 secret.
import type { Logger } from '../../../lib/logging/logger.js';
import type { Verifier } from './authenticator.js';
import { jwksKeyStore } from './jwksKeyStore.js';
import { pemKeyStore } from './keyStore.js';
import type { KeySource } from './options.js';

/** How long one key-set fetch may take before it counts as failed. */
const JWKS_TIMEOUT_MILLIS = 5000;

export async function verifierFor(source: KeySource, logger: Logger, now?: () => number): Promise<Verifier> {
  switch (source.kind) {
    case 'pem':
      return { keys: pemKeyStore(source.files) };
    case 'hmac':
      return { hmacSecret: source.secret };
    case 'jwks': {
      const store = jwksKeyStore({
        url: source.url,
        refetchIntervalMillis: source.refetchIntervalMillis,
        maxAgeSeconds: source.maxAgeSeconds,
        graceSeconds: source.graceSeconds,
        timeoutMillis: JWKS_TIMEOUT_MILLIS,
        logger,
        ...(now ? { now } : {}),
      });
      await store.refresh();
      return { keys: store };
    }
  }
}
