// `npm run token -- --role cfo --tenant acme [--customer ID] [--scopes "a b"] [--amr pwd,otp] [--ttl SECONDS]`
// prints a development access token on its last line; `--help` prints every option and the roles with their scopes
// (bin/tokenArgs.ts). A customer token without --customer is issued for the tenant's first customer, read from the
// customer directory (the sandbox in development). A mistake on the command line is one line and the usage on
// stderr, exit code 2, never a stack trace.
import { signDevToken } from '../lib/auth/devToken.js';
import { readString, readUrl } from '../lib/config/env.js';
import { fromRoot } from '../lib/config/paths.js';
import { loadUpstreamCredentials } from '../lib/config/upstreamCredentials.js';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevKeys } from './devKeys.js';
import { parseTokenArgs, type TokenArgs, tokenUsage, USAGE_EXIT_CODE, UsageError } from './tokenArgs.js';

function fail(message: string, code = 1): never {
  process.stderr.write(`token: ${message}\n`);
  process.exit(code);
}

let parsed: TokenArgs;
try {
  parsed = parseTokenArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`token: ${error.message}\n\n${tokenUsage()}`);
  process.exit(USAGE_EXIT_CODE);
}
if (parsed.kind === 'help') {
  process.stdout.write(tokenUsage());
  process.exit(0);
}
const request = parsed.request;

async function firstCustomer(tenant: string): Promise<string> {
  const base = readUrl(process.env, 'DIRECTORY_URL', `${readUrl(process.env, 'UPSTREAM_BASE_URL', 'http://127.0.0.1:4100')}/directory/v1`);
  const credentials = loadUpstreamCredentials(
    'UPSTREAM_CREDENTIALS_FILE',
    readString(process.env, 'UPSTREAM_CREDENTIALS_FILE', fromRoot('sandbox', 'credentials.dev.json')),
  );
  const key = credentials(tenant, 'directory') ?? fail(`no directory credentials for tenant ${tenant}`);
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

const customerId = request.customerId ?? (request.role === 'customer' ? await firstCustomer(request.tenant) : undefined);
const keys = ensureDevKeys();
process.stdout.write(
  `${signDevToken({
    privateKeyPem: keys.privateKeyPem,
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    role: request.role,
    tenant: request.tenant,
    ttlSeconds: request.ttlSeconds,
    ...(customerId ? { customerId } : {}),
    ...(request.scopes ? { scopes: request.scopes } : {}),
    ...(request.amr ? { amr: request.amr } : {}),
  })}\n`,
);
