// Benchmarks over the real topology: `npm start`'s processes (sandbox with realistic latency, subgraphs, gateway) on
// free ports, driven by autocannon from this process. Each scenario runs beside its baseline; medians and p99 go to
// stdout as a Markdown table for bench/README.md.
//
// Usage: npm run bench [-- --duration 10 --connections 20]
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { deriveSubgraphKey, signInternalToken } from '../lib/auth/internalToken.js';
import { ensureDevKeys } from '../bin/devKeys.js';
import { scenarios } from './scenarios.js';
import { startBenchStack } from './stack.js';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '20' } } });
const duration = Number(values.duration);
const connections = Number(values.connections);

const stack = await startBenchStack();
const token = (role: string) => stack.token(role);
const keys = ensureDevKeys(stack.keysDir);
// Internal tokens live 60 s, so a fresh one is signed for each baseline run (each run is shorter than that).
const internal = () => signInternalToken(deriveSubgraphKey(keys.internalSecret, 'accounts'), 'accounts',
  { sub: 'bench', tenant: 'acme', customerId: undefined, scopes: ['treasury:read', 'accounts:read', 'profile:read'], amr: ['pwd'] }, 'bench-request-1');

const rows: string[] = [];
for (const scenario of scenarios) {
  for (const target of ['subgraph', 'gateway'] as const) {
    const url = target === 'gateway' ? stack.gatewayUrl : stack.accountsUrl;
    const headers: Record<string, string> = { 'content-type': 'application/json',
      ...(target === 'gateway' ? { authorization: `Bearer ${token(scenario.role)}` } : { 'x-fingraph-principal': internal() }) };
    const result = await autocannon({ url, method: 'POST', headers, body: JSON.stringify(scenario.request), connections, duration });
    rows.push(`| ${scenario.name} | ${target === 'gateway' ? 'gateway (JWT, plan, internal token)' : 'accounts subgraph direct (baseline)'} | ${result.requests.average.toFixed(0)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx + result.errors + result.timeouts} |`);
    if (duration > 50) process.stderr.write('warning: runs over 50 s outlive the baseline’s internal token\n');
    process.stderr.write(`${scenario.name} via ${target}: ${result.requests.average} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms\n`);
  }
}
await stack.stop();
process.stdout.write(`\n${duration}s per run, ${connections} connections, sandbox latency realistic\n\n`);
process.stdout.write('| scenario | path | req/s (mean) | p50 ms | p99 ms | failed |\n|---|---|---|---|---|---|\n');
process.stdout.write(`${rows.join('\n')}\n`);
