// Warm against cold: the same queries through the gateway, once with the cache's default policies (warm after the
// first request) and once with every entry expiring at once (every request goes to the banks), each on a private
// redis-server, with the sandbox's realistic latency. Prints a Markdown table for bench/README.md.
//
// Usage: npm run build && node dist/bench/cache.js [--duration 10] [--connections 20]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { RedisHarness } from '../test/support/redis.js';
import { startBenchStack } from './stack.js';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '20' } } });
const duration = Number(values.duration);
const connections = Number(values.connections);
const COLD =
  'customers=0.001:0,organisation=0.001:0,accounts=0.001:0,balances=0.001:0,transactions-recent=0.001:0,transactions-booked=0.001:0,fx-rates=0.001:0';

interface Run {
  label: string;
  overrides: string | undefined;
}
const runs: Run[] = [
  { label: 'cold (every read goes to the banks)', overrides: COLD },
  { label: 'warm (default policies)', overrides: undefined },
];
const rows: string[] = [];

for (const run of runs) {
  const redis = await RedisHarness.start();
  const stack = await startBenchStack({
    REDIS_URL: redis.url,
    CACHE_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    ...(run.overrides ? { CACHE_TTL_OVERRIDES: run.overrides } : {}),
  });
  const token = (role: string) => stack.token(role);
  const url = stack.gatewayUrl;
  const support = token('support');
  const firstCustomers = (await (
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${support}` },
      body: JSON.stringify({ query: '{ customers(first: 20) { edges { node { id } } } }' }),
    })
  ).json()) as { data: { customers: { edges: Array<{ node: { id: string } }> } } };
  const ids = firstCustomers.data.customers.edges.map((edge) => edge.node.id);
  const scenarios = [
    {
      name: 'CashPosition (USD)',
      role: 'cfo',
      bodies: [
        JSON.stringify({
          query:
            '{ cashPosition(reportingCurrency: "USD") { total { amount currency } complete byCurrency { currency converted { amount } } } }',
        }),
      ],
    },
    {
      name: 'accounts and balances (20 customers, varied)',
      role: 'support',
      bodies: ids.map((id) =>
        JSON.stringify({
          query:
            'query ($id: ID!) { customer(id: $id) { accounts { id maskedNumber balance { current { amount currency } available { amount } asOf } } } }',
          variables: { id },
        }),
      ),
    },
  ];
  for (const scenario of scenarios) {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token(scenario.role)}` };
    const result = await autocannon({
      url,
      method: 'POST',
      connections,
      duration,
      requests: scenario.bodies.map((body) => ({ method: 'POST', headers, body })),
    });
    rows.push(
      `| ${scenario.name} | ${run.label} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx + result.errors + result.timeouts} |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  await stack.stop();
  await redis.close();
}
process.stdout.write(`\n${duration}s per run, ${connections} connections, sandbox latency realistic, Redis on loopback\n\n`);
process.stdout.write('| scenario | cache | req/s (mean) | p50 ms | p99 ms | failed |\n|---|---|---|---|---|---|\n');
process.stdout.write(`${rows.join('\n')}\n`);
