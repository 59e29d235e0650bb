// Signs development access tokens with the contract's claims. Used by `npm run token` and by the tests; production
// tokens come from the organisation's identity provider, never from here.
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { keyThumbprint } from './keyThumbprint.js';
import { type Role, roles } from './roles.js';

export interface DevTokenOptions {
  readonly privateKeyPem: string;
  readonly issuer: string;
  readonly audience: string;
  readonly role: Role;
  readonly tenant: string;
  readonly customerId?: string;
  /** Overrides the role's scopes. */
  readonly scopes?: readonly string[];
  readonly amr?: readonly string[];
  readonly ttlSeconds?: number;
  readonly subject?: string;
  /** The tenant's plan (`plan` claim), which selects the gateway's cost maximum; none by default. */
  readonly plan?: string;
}

export function signDevToken(options: DevTokenOptions): string {
  const claims = {
    tenant: options.tenant,
    scope: (options.scopes ?? roles[options.role]).join(' '),
    amr: [...(options.amr ?? ['pwd'])],
    ...(options.customerId ? { customer_id: options.customerId } : {}),
    roles: [options.role],
    ...(options.plan ? { plan: options.plan } : {}),
  };
  return jwt.sign(claims, options.privateKeyPem, {
    algorithm: 'RS256',
    issuer: options.issuer,
    audience: options.audience,
    subject: options.subject ?? options.customerId ?? `staff_${options.role}_${options.tenant}`,
    expiresIn: options.ttlSeconds ?? 900,
    jwtid: randomUUID(),
    keyid: keyThumbprint(options.privateKeyPem),
  });
}
