// `npm run token -- --role cfo --tenant acme [--customer ID] [--scopes "a b"] [--amr pwd,otp] [--ttl SECONDS]`
// prints a development access token on its last line. A customer token without --customer is issued for the
// tenant's first customer, read from the customer directory (the sandbox in development).
import { parseArgs } from 'node:util';
import { signDevToken } from '../lib/auth/devToken.js';
import { isValidTenant } from '../lib/auth/principal.js';
import { isRole, roles } from '../lib/auth/roles.js';
import { readString, readUrl } from '../lib/config/env.js';
import { fromRoot } from '../lib/config/paths.js';
import { loadUpstreamCredentials } from '../lib/config/upstreamCredentials.js';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevKeys } from './devKeys.js';

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    role: { type: 'string' }, tenant: { type: 'string' }, customer: { type: 'string' },
    scopes: { type: 'string' }, amr: { type: 'string' }, ttl: { type: 'string' },
  },
});
const role = values.role ?? fail(`--role is required (${Object.keys(roles).join(', ')})`);
if (!isRole(role)) fail(`unknown role ${role}; expected one of ${Object.keys(roles).join(', ')}`);
const tenant = values.tenant ?? fail('--tenant is required (acme or globex in development)');
if (!isValidTenant(tenant)) fail('--tenant must be a lowercase slug such as acme');
const ttlSeconds = values.ttl === undefined ? 900 : Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) fail('--ttl must be a whole number of seconds');

async function firstCustomer(): Promise<string> {
  const base = readUrl(process.env, 'DIRECTORY_URL', `${readUrl(process.env, 'UPSTREAM_BASE_URL', 'http://127.0.0.1:4100')}/directory/v1`);
  const credentials = loadUpstreamCredentials('UPSTREAM_CREDENTIALS_FILE',
    readString(process.env, 'UPSTREAM_CREDENTIALS_FILE', fromRoot('sandbox', 'credentials.dev.json')));
  const key = credentials(tenant as string, 'directory') ?? fail(`no directory credentials for tenant ${tenant}`);
  try {
    const response = await fetch(`${base}/customers?limit=1`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await response.json()) as { data?: Array<{ id?: unknown }> };
    const id = body.data?.[0]?.id;
    if (typeof id !== 'string') throw new Error('empty');
    return id;
  } catch {
    return fail('could not read the first customer from the directory; start the stack (npm start) or pass --customer');
  }
}

const customerId = values.customer ?? (role === 'customer' ? await firstCustomer() : undefined);
const keys = ensureDevKeys();
process.stdout.write(`${signDevToken({
  privateKeyPem: keys.privateKeyPem, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, role, tenant, ttlSeconds,
  ...(customerId ? { customerId } : {}),
  ...(values.scopes !== undefined ? { scopes: values.scopes.split(/[ ,]+/).filter(Boolean) } : {}),
  ...(values.amr !== undefined ? { amr: values.amr.split(',').filter(Boolean) } : {}),
})}\n`);
