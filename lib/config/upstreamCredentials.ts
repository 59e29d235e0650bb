// Per-tenant API credentials for upstream providers, read from one JSON file: { "<tenant>": { "<provider>": "<key>" } }.
// In development this is sandbox/credentials.dev.json; in production a secret mounted by the platform.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './env.js';

const fileSchema = z.record(z.string().regex(/^[a-z][a-z0-9-]{1,62}$/), z.record(z.string(), z.string().min(8)));

export type UpstreamCredentials = (tenant: string, provider: string) => string | undefined;

export function loadUpstreamCredentials(variable: string, path: string): UpstreamCredentials {
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    throw new ConfigError(variable, 'a readable JSON file of { tenant: { provider: key } }', path);
  }
  return (tenant, provider) => (Object.hasOwn(parsed, tenant) ? parsed[tenant]?.[provider] : undefined);
}
