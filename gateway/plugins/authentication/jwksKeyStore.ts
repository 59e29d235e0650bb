// The keys that verify access tokens, from the identity provider's JWKS URL. A key set is trusted for a bounded age
// and then fetched again before use, so a key the identity provider removed (because it leaked) stops verifying
// within that age; a token naming an unknown `kid` also fetches it, at once and then at most once per interval (so a
// flood of tokens with invented kids cannot turn the gateway into a load generator against the identity provider).
// While fetches fail, the last good set is kept for a bounded grace, then every token is refused: fail closed.
// Everything is decided on the request path against an injected clock: no timer to stop, and tests move time
// instead of waiting for it. Fetching is our own (undici, zod): jwks-rsa 4 needs Node 20.19, and verification stays
// on jsonwebtoken.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { request } from 'undici';
import { z } from 'zod';
import type { Logger } from '../../../lib/logging/logger.js';
import { KeySetUnavailable, type KeyStore, type VerificationKey } from './keyStore.js';

export interface JwksOptions {
  readonly url: string;
  /** Least time between two fetches not due by age (one for an unknown `kid`, or a retry after a failed fetch); default
   * 60 000 ms. */
  readonly refetchIntervalMillis: number;
  /** How long a fetched key set is trusted before it must be fetched again; default 600 s. */
  readonly maxAgeSeconds: number;
  /** How long past its max age the last good set is still used while fetches fail; default 3600 s. */
  readonly graceSeconds: number;
  readonly timeoutMillis: number;
  readonly logger: Logger;
  /** The clock, in milliseconds since the epoch; default Date.now. */
  readonly now?: () => number;
}

/** A key set's answer is small; anything bigger is not a key set (and is not buffered whole). */
const maxKeySetBytes = 256 * 1024;

/** A JWKS answer (RFC 7517): each key keeps its other members (n, e, x, y, crv…) for createPublicKey to read. */
const keySetSchema = z.object({
  keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional(), use: z.string().optional(), alg: z.string().optional() })),
});
type Jwk = z.infer<typeof keySetSchema>['keys'][number];

/** A key-set answer we refuse; its message is safe to log (a status or what was wrong, never the body). */
class KeySetFetchError extends Error {}

/** Why a fetch failed, for the log: a status or an error code, never the URL or the body. */
function failureReason(error: unknown): string {
  if (error instanceof KeySetFetchError) return error.message;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown';
}

export interface JwksKeyStore extends KeyStore {
  /** Fetches the key set now (joining a fetch in flight); never throws, a failure is logged and kept in the state. */
  refresh(): Promise<void>;
}

export function jwksKeyStore(options: JwksOptions): JwksKeyStore {
  const now = options.now ?? Date.now;
  const maxAgeMillis = options.maxAgeSeconds * 1000;
  const usableMillis = (options.maxAgeSeconds + options.graceSeconds) * 1000;
  let keys: VerificationKey[] = [];
  /** When the set in `keys` was fetched (the fetch's start: the set is at least that fresh); undefined: never. */
  let fetchedAt: number | undefined;
  let lastAttempt: number | undefined;
  let lastAttemptFailed = false;
  let lastKidFetch: number | undefined;
  let unavailableLogged = false;
  let inFlight: Promise<void> | undefined;

  /**
   * The GET of the key set. Fetches are minutes apart, so the pooled keep-alive connection is often one the identity
   * provider has just closed as idle: a request written on it fails at once with a reset, having reached nobody. That
   * one case is retried on a new connection (the GET is idempotent); a timeout or an answer is never retried.
   */
  async function getKeySet(url: string, timeoutMillis: number) {
    const get = () => request(url, { method: 'GET', headersTimeout: timeoutMillis, bodyTimeout: timeoutMillis });
    try {
      return await get();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET') throw error;
      return get();
    }
  }

  async function download(): Promise<Jwk[]> {
    const response = await getKeySet(options.url, options.timeoutMillis);
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new KeySetFetchError(`status ${response.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > maxKeySetBytes) {
        response.body.destroy();
        throw new KeySetFetchError(`key set over ${maxKeySetBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new KeySetFetchError('key set is not JSON');
    }
    const parsed = keySetSchema.safeParse(body);
    // Only the paths that failed, never the values: the log is no place for the answer's content.
    if (!parsed.success)
      throw new KeySetFetchError(`not a key set (${parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ')})`);
    return parsed.data.keys;
  }

  async function fetchKeys(): Promise<void> {
    const started = now();
    lastAttempt = started;
    try {
      const parsed: VerificationKey[] = [];
      for (const jwk of await download()) {
        if (jwk.use !== undefined && jwk.use !== 'sig') continue;
        if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') continue;
        try {
          parsed.push({
            kid: jwk.kid,
            key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }),
            ...(jwk.alg ? { alg: jwk.alg } : {}),
          });
        } catch {
          options.logger.warn({ kid: jwk.kid }, 'unusable key in key set skipped');
        }
      }
      // The identity provider's answer is the truth, removals included: a key it no longer lists verifies nothing.
      keys = parsed;
      fetchedAt = started;
      lastAttemptFailed = false;
      if (unavailableLogged) options.logger.info({ keys: parsed.length }, 'key set available again; tokens are verified again');
      else options.logger.info({ keys: parsed.length }, 'key set loaded');
      unavailableLogged = false;
    } catch (error) {
      // Keep the keys we had (within the grace): an identity provider's hiccup must not log every user out.
      lastAttemptFailed = true;
      options.logger.warn(
        {
          reason: failureReason(error),
          keySetAgeSeconds: fetchedAt === undefined ? null : Math.floor((started - fetchedAt) / 1000),
        },
        'key set fetch failed',
      );
    }
  }

  const refresh = () => {
    inFlight ??= fetchKeys().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const age = (at: number) => (fetchedAt === undefined ? Number.POSITIVE_INFINITY : at - fetchedAt);
  const mayRetry = (at: number) => !lastAttemptFailed || lastAttempt === undefined || at - lastAttempt >= options.refetchIntervalMillis;
  const matching = (kid: string | undefined) => keys.filter((entry) => kid === undefined || entry.kid === kid);

  return {
    refresh,
    async candidates(kid) {
      if (age(now()) >= maxAgeMillis && mayRetry(now())) {
        // Past its age the set is fetched before it is used again, so a removed key is refused from now on. Only
        // while fetches are failing and the last good set is within its grace does the request not wait for the
        // retry: an identity provider that hangs must not hold every request for the fetch's timeout.
        if (lastAttemptFailed && age(now()) < usableMillis) void refresh();
        else await refresh();
      }
      if (age(now()) >= usableMillis) {
        if (!unavailableLogged) {
          unavailableLogged = true;
          options.logger.error(
            {
              keySetAgeSeconds: fetchedAt === undefined ? null : Math.floor(age(now()) / 1000),
              maxAgeSeconds: options.maxAgeSeconds,
              graceSeconds: options.graceSeconds,
            },
            'key set unavailable: no fetch succeeded within its max age and grace; every token is refused',
          );
        }
        throw new KeySetUnavailable();
      }
      const known = matching(kid);
      if (known.length > 0) return known;
      // An unknown kid may be a key the identity provider has just rotated in: fetch at once, then at most once per
      // interval, however many tokens ask.
      if (lastKidFetch === undefined || now() - lastKidFetch >= options.refetchIntervalMillis) {
        lastKidFetch = now();
        await refresh();
      }
      return matching(kid);
    },
  };
}
