// Benchmarks over the real topology: `npm start`'s processes (sandbox with realistic latency, subgraphs, gateway) on
// free ports, driven by autocannon from this process. Each scenario runs beside its baseline; medians and p99 go to
// stdout as a Markdown table for bench/README.md.
//
// Usage: npm run bench [-- --duration 10 --connections 20]
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ensureDevKeys } from '../bin/devKeys.js';
import { deriveSubgraphKey, signInternalToken } from '../lib/auth/internalToken.js';
import { customerOverview, type Scenario, scenarios } from './scenarios.js';
import { startBenchStack } from './stack.js';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '20' } } });
const duration = Number(values.duration);
const connections = Number(values.connections);

const stack = await startBenchStack();
const token = (role: string) => stack.token(role);
const keys = ensureDevKeys(stack.keysDir);
// Internal tokens live 60 s, so a fresh one is signed for each baseline run (each run is shorter than that).
const internal = (baseline: NonNullable<Scenario['baseline']>) =>
  signInternalToken(
    deriveSubgraphKey(keys.internalSecret, baseline.subgraph),
    baseline.subgraph,
    { sub: 'bench', tenant: 'acme', customerId: undefined, scopes: [...baseline.scopes], amr: ['pwd'] },
    'bench-request-1',
  );

// The first customer of the tenant, for the one-customer view.
const listing = (await (
  await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token('support')}` },
    body: JSON.stringify({ query: '{ customers(first: 1) { edges { node { id } } } }' }),
  })
).json()) as { data: { customers: { edges: Array<{ node: { id: string } }> } } };
const firstCustomer = listing.data.customers.edges[0]?.node.id;
if (!firstCustomer) throw new Error('the sandbox tenant has no customers');

const rows: string[] = [];
for (const scenario of [...scenarios, customerOverview(firstCustomer)]) {
  for (const target of scenario.baseline ? (['subgraph', 'gateway'] as const) : (['gateway'] as const)) {
    const baseline = scenario.baseline;
    const url = target === 'gateway' || !baseline ? stack.gatewayUrl : (stack.subgraphUrls[baseline.subgraph] as string);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...(target === 'gateway' || !baseline
        ? { authorization: `Bearer ${token(scenario.role)}` }
        : { 'x-fingraph-principal': internal(baseline) }),
    };
    // autocannon counts only non-2xx answers as failures; a GraphQL error comes back 200, so one probe checks first.
    const probe = (await (await fetch(url, { method: 'POST', headers, body: JSON.stringify(scenario.request) })).json()) as {
      errors?: unknown[];
    };
    if (probe.errors?.length)
      throw new Error(`${scenario.name} via ${target} answers errors: ${JSON.stringify(probe.errors).slice(0, 300)}`);
    const result = await autocannon({ url, method: 'POST', headers, body: JSON.stringify(scenario.request), connections, duration });
    const path =
      target === 'gateway' || !baseline ? 'gateway (JWT, plan, internal token)' : `${baseline.subgraph} subgraph direct (baseline)`;
    rows.push(
      `| ${scenario.name} | ${path} | ${result.requests.average.toFixed(0)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx + result.errors + result.timeouts} |`,
    );
    if (duration > 50) process.stderr.write('warning: runs over 50 s outlive the baseline’s internal token\n');
    process.stderr.write(
      `${scenario.name} via ${target}: ${result.requests.average} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms\n`,
    );
  }
}
await stack.stop();
process.stdout.write(`\n${duration}s per run, ${connections} connections, sandbox latency realistic\n\n`);
process.stdout.write('| scenario | path | req/s (mean) | p50 ms | p99 ms | failed |\n|---|---|---|---|---|---|\n');
process.stdout.write(`${rows.join('\n')}\n`);
