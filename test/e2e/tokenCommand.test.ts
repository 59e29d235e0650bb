// `npm run token` as a person types it (issue 11 item 7): --help prints every option and each role with its scopes
// as lib/auth/roles.ts defines them; a mistake prints one line and the usage on stderr, exit code 2, no stack trace;
// a correct command prints a token carrying the role's scopes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { roles } from '../../lib/auth/roles.js';
import { fromRoot } from '../../lib/config/paths.js';

const keysDir = mkdtempSync(join(tmpdir(), 'fingraph-token-keys-'));
/** The options the contract documents (../shared/contract/README.md, "Development data"), and help. */
const documentedOptions = ['--role', '--tenant', '--customer', '--scopes', '--amr', '--ttl', '--help'];

function token(...args: string[]) {
  return spawnSync(process.execPath, [fromRoot('dist', 'bin', 'token.js'), ...args], {
    env: { PATH: process.env.PATH, DEV_KEYS_DIR: keysDir },
    encoding: 'utf8',
  });
}

describe('npm run token', () => {
  after(() => rmSync(keysDir, { recursive: true, force: true }));

  it('--help prints every option and each role with its scopes, on stdout, exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const run = token(flag);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stderr, '');
      assert.match(run.stdout, /^Usage: npm run token -- --role ROLE --tenant TENANT/);
      for (const option of documentedOptions)
        assert.match(run.stdout, new RegExp(`^\\s+(-h, )?${option}\\b`, 'm'), `${flag} lists ${option}`);
      for (const [role, scopes] of Object.entries(roles)) {
        assert.match(run.stdout, new RegExp(`^\\s+${role}\\s+${scopes.join(' ')}$`, 'm'), `${flag} lists ${role} with its scopes`);
      }
    }
  });

  const mistakes: Array<[string[], string]> = [
    [['--bogus'], 'token: unknown option --bogus'],
    [['--role', 'cfo', '--tenant', 'acme', '--colour', 'red'], 'token: unknown option --colour'],
    [['--role'], 'token: option --role needs a value'],
    [['--role', 'cfo', '--tenant', 'acme', 'extra'], 'token: unexpected argument extra'],
    [['--tenant', 'acme'], `token: --role is required (${Object.keys(roles).join(', ')})`],
    [['--role', 'auditor', '--tenant', 'acme'], `token: unknown role auditor; expected one of ${Object.keys(roles).join(', ')}`],
    [['--role', 'cfo', '--tenant', 'acme', '--ttl', '1.5'], 'token: --ttl must be a whole number of seconds, at least 1'],
  ];
  for (const [args, line] of mistakes) {
    it(`${args.join(' ')}: one line, then the usage, on stderr, exit 2, no stack trace`, () => {
      const run = token(...args);
      assert.equal(run.status, 2, run.stderr);
      assert.equal(run.stdout, '');
      const [first, blank, usage] = run.stderr.split('\n');
      assert.equal(first, line);
      assert.equal(blank, '');
      assert.match(usage as string, /^Usage: npm run token/);
      assert.equal(run.stderr.split('\n').filter((text) => text.startsWith('token:')).length, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
    });
  }

  it('prints a token with the role’s scopes on its last line', () => {
    const run = token('--role', 'cfo', '--tenant', 'acme', '--ttl', '600');
    assert.equal(run.status, 0, run.stderr);
    const claims = jwt.decode(run.stdout.trim().split('\n').at(-1) as string) as {
      scope: string;
      tenant: string;
      exp: number;
      iat: number;
    };
    assert.equal(claims.scope, roles.cfo.join(' '));
    assert.equal(claims.tenant, 'acme');
    assert.equal(claims.exp - claims.iat, 600);
  });
});
