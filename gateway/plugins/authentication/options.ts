// The authentication plugin's options, declared once: the gateway's config (gateway/config.ts) reads `jwt` from the
// environment in exactly this shape, and createAuthentication takes it as it is.
import type { Logger } from '../../../lib/logging/logger.js';

export type Algorithm = 'RS256' | 'PS256' | 'ES256' | 'HS256';

/** Where the keys that verify access tokens come from: exactly one source, HS256 never alongside asymmetric keys. */
export type KeySource =
  | { readonly kind: 'pem'; readonly files: readonly string[] }
  | {
      readonly kind: 'jwks';
      readonly url: string;
      /** Least time between two fetches not due by age; default 60 000 ms. */
      readonly refetchIntervalMillis: number;
      /** How long a fetched key set is trusted; then it is fetched again before use. Default 600 s. */
      readonly maxAgeSeconds: number;
      /** How long past its max age the last good set is kept while fetches fail; then every token is refused. Default 3600 s. */
      readonly graceSeconds: number;
    }
  | { readonly kind: 'hmac'; readonly secret: Buffer };

export interface JwtOptions {
  readonly keys: KeySource;
  /** Accepted `alg` values; default RS256, PS256, ES256 (HS256, alone, with an HS256 secret). */
  readonly algorithms: readonly Algorithm[];
  /** The required `iss`. */
  readonly issuer: string;
  /** The required `aud`. */
  readonly audience: string;
  /** Leeway for exp, nbf and iat; default 30 s. */
  readonly clockToleranceSeconds: number;
  /** Longest accepted `exp - iat`; default 3600 s. Tokens must be short-lived. */
  readonly maxLifetimeSeconds: number;
}

export interface AuthenticationOptions {
  readonly jwt: JwtOptions;
  /** Schema introspection without a token; default false, and refused at start-up outside development. */
  readonly allowAnonymousIntrospection: boolean;
  readonly logger: Logger;
  /** The clock the JWKS key store ages its key set by, in milliseconds since the epoch; default Date.now. */
  readonly now?: () => number;
}
