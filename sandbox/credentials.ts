// The committed sandbox API keys (credentials.dev.json: tenant → provider → key) and the reverse lookup the
// providers use to learn which tenant is calling.
import credentialsFile from './credentials.dev.json' with { type: 'json' };
import type { TenantId } from './seed/types.js';

export type KeyedProvider =
  | 'directory'
  | 'lakeside'
  | 'pacific'
  | 'northwind'
  | 'albion'
  | 'processor'
  | 'transfers'
  | 'kyc'
  | 'sanctions'
  | 'bureau';

export const credentials: Readonly<Record<TenantId, Readonly<Record<KeyedProvider, string>>>> = credentialsFile;

export function tenantForKey(provider: KeyedProvider, key: string | undefined): TenantId | undefined {
  if (key === undefined) return undefined;
  for (const [tenant, keys] of Object.entries(credentials) as [TenantId, Readonly<Record<KeyedProvider, string>>][]) {
    if (keys[provider] === key) return tenant;
  }
  return undefined;
}
