// The command line of `npm run token`: its options, its usage text and the parsing of its arguments, without side
// effects, so the usage is built from the same table the parser reads and the roles come from lib/auth/roles.ts (a
// role or scope added there shows up in --help without anyone editing this file).
import { parseArgs } from 'node:util';
import { isValidTenant } from '../lib/auth/principal.js';
import { isRole, type Role, roles } from '../lib/auth/roles.js';

/** Exit code of a command-line mistake (BSD's EX_USAGE is 64; 2 is what shells and most CLIs use for bad usage). */
export const USAGE_EXIT_CODE = 2;

interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The placeholder shown after the option in the usage. */
  readonly value?: string;
  readonly help: string;
}

const options = {
  role: { type: 'string', value: 'ROLE', help: 'the role whose scopes the token carries (required; see Roles below)' },
  tenant: { type: 'string', value: 'TENANT', help: 'the organisation, a lowercase slug: acme or globex in development (required)' },
  customer: {
    type: 'string',
    value: 'ID',
    help: "the customer of a customer token (default: the tenant's first customer in the directory)",
  },
  scopes: { type: 'string', value: '"A B"', help: "scopes to issue instead of the role's, separated by spaces or commas" },
  amr: { type: 'string', value: 'METHODS', help: 'authentication methods, comma-separated (default pwd; pwd,otp for a second factor)' },
  ttl: { type: 'string', value: 'SECONDS', help: 'lifetime in whole seconds (default 900)' },
  help: { type: 'boolean', short: 'h', help: 'print this help and exit' },
} as const satisfies Record<string, OptionSpec>;

export function tokenUsage(): string {
  const flags = Object.entries(options).map(
    ([name, spec]: [string, OptionSpec]) =>
      [`${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`, spec.help] as const,
  );
  const flagWidth = Math.max(...flags.map(([flag]) => flag.length));
  const roleWidth = Math.max(...Object.keys(roles).map((role) => role.length));
  return [
    'Usage: npm run token -- --role ROLE --tenant TENANT [--customer ID] [--scopes "A B"] [--amr METHODS] [--ttl SECONDS]',
    '',
    'Prints a development access token on its last line, signed with the development key in .keys/ (DEV_KEYS_DIR),',
    'made on first use. The gateway accepts it only with NODE_ENV=development.',
    '',
    'Options:',
    ...flags.map(([flag, help]) => `  ${flag.padEnd(flagWidth)}  ${help}`),
    '',
    'Roles and their scopes:',
    ...Object.entries(roles).map(([role, scopes]) => `  ${role.padEnd(roleWidth)}  ${scopes.join(' ')}`),
    '',
  ].join('\n');
}

export interface TokenRequestArgs {
  readonly role: Role;
  readonly tenant: string;
  readonly customerId: string | undefined;
  readonly scopes: readonly string[] | undefined;
  readonly amr: readonly string[] | undefined;
  readonly ttlSeconds: number;
}

export type TokenArgs = { readonly kind: 'help' } | { readonly kind: 'token'; readonly request: TokenRequestArgs };

/** A mistake on the command line; its message is one line, meant to be printed above the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** node:util's parse errors carry a code and a message written for developers; this says the same in one short line. */
function usageErrorFrom(error: unknown): UsageError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${quoted}`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new UsageError(`option ${quoted.replace(/ <value>$/, '')} needs a value`);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(`unexpected argument ${quoted}`);
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return new UsageError(message.split('\n')[0] as string);
  throw error;
}

const list = (text: string | undefined, separator: RegExp) => (text === undefined ? undefined : text.split(separator).filter(Boolean));

/** node's strict parse of the options, its errors turned into UsageError. */
function strictValues(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw usageErrorFrom(error);
  }
}

/** Reads the arguments (without node and the script); throws UsageError on any mistake. */
export function parseTokenArgs(args: readonly string[]): TokenArgs {
  const values = strictValues(args);
  if (values.help) return { kind: 'help' };
  const roleNames = Object.keys(roles).join(', ');
  if (values.role === undefined) throw new UsageError(`--role is required (${roleNames})`);
  if (!isRole(values.role)) throw new UsageError(`unknown role ${values.role}; expected one of ${roleNames}`);
  if (values.tenant === undefined) throw new UsageError('--tenant is required (acme or globex in development)');
  if (!isValidTenant(values.tenant)) throw new UsageError('--tenant must be a lowercase slug such as acme');
  const ttlSeconds = values.ttl === undefined ? 900 : Number(values.ttl);
  if (!/^\d+$/.test(values.ttl ?? '900') || !Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new UsageError('--ttl must be a whole number of seconds, at least 1');
  }
  return {
    kind: 'token',
    request: {
      role: values.role,
      tenant: values.tenant,
      customerId: values.customer,
      ttlSeconds,
      scopes: list(values.scopes, /[ ,]+/),
      amr: list(values.amr, /,/),
    },
  };
}
