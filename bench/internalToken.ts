// What the gateway pays per subgraph fetch to vouch for the principal: the HMAC internal token FinGraph uses, against
// an RS256 JWT signed per fetch (the obvious alternative). Sign on the gateway, verify on the subgraph.
//
// Usage: npm run build && node dist/bench/internalToken.js [iterations]
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import jwt from 'jsonwebtoken';
import { deriveSubgraphKey, signInternalToken, verifyInternalToken } from '../lib/auth/internalToken.js';
import type { Principal } from '../lib/auth/principal.js';

const iterations = Number(process.argv[2] ?? 20_000);
const principal: Principal = {
  sub: 'staff_cfo_acme',
  tenant: 'acme',
  customerId: undefined,
  scopes: ['treasury:read', 'accounts:read', 'transactions:read'],
  amr: ['pwd', 'otp'],
};
const key = deriveSubgraphKey(randomBytes(32), 'accounts');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function measure(name: string, run: (i: number) => void): void {
  for (let i = 0; i < Math.min(1000, iterations); i += 1) run(i);
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) run(i);
  const micros = ((performance.now() - started) * 1000) / iterations;
  process.stdout.write(`| ${name} | ${micros.toFixed(1)} µs | ${Math.round(1e6 / micros).toLocaleString('en')} |\n`);
}

process.stdout.write(`${iterations} iterations each\n\n| per fetch | CPU time | per core per second |\n|---|---|---|\n`);
measure('HMAC-SHA256 internal token: sign + verify', (i) => {
  verifyInternalToken(key, 'accounts', signInternalToken(key, 'accounts', principal, `req-${i}`));
});
measure('RS256 JWT (2048-bit): sign + verify', (i) => {
  const token = jwt.sign({ ...principal, rid: `req-${i}` }, privateKey, { algorithm: 'RS256', audience: 'accounts', expiresIn: 60 });
  jwt.verify(token, publicKey, { algorithms: ['RS256'], audience: 'accounts' });
});
