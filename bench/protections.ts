// What the gateway's edge protections cost (issue 14): CustomerOverview through the whole topology with every
// protection on (shape limits, demand control, rate limits charging the estimate, trusted documents in their
// development mode) and with them off (GATEWAY_PROTECTIONS=off, development only), alternated over rounds in one run so
// that drift on the machine falls on both. No simulated upstream latency: the gateway's own work is what is compared.
//
// Usage: npm run bench:protections [-- --duration 15 --connections 50 --rounds 2 --warmup 5]
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { customerOverview } from './scenarios.js';
import { startBenchStack } from './stack.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '5' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);

interface Measured {
  readonly mode: 'on' | 'off';
  readonly round: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

async function measure(mode: 'on' | 'off', round: number): Promise<Measured> {
  const stack = await startBenchStack({ SANDBOX_LATENCY: 'none', GATEWAY_PROTECTIONS: mode });
  try {
    const support = stack.token('support');
    const listing = (await (
      await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${support}` },
        body: JSON.stringify({ query: '{ customers(first: 1) { edges { node { id } } } }' }),
      })
    ).json()) as { data: { customers: { edges: Array<{ node: { id: string } }> } } };
    const id = listing.data.customers.edges[0]?.node.id;
    if (!id) throw new Error('the sandbox tenant has no customers');
    const scenario = customerOverview(id);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${stack.token(scenario.role)}` };
    const body = JSON.stringify(scenario.request);
    // An error answer is a 200 to autocannon: one probe first, so a broken run cannot pass for a fast one.
    const probe = (await (await fetch(stack.gatewayUrl, { method: 'POST', headers, body })).json()) as { errors?: unknown[] };
    if (probe.errors?.length) throw new Error(`CustomerOverview (protections ${mode}) answers errors: ${JSON.stringify(probe.errors)}`);
    await autocannon({ url: stack.gatewayUrl, method: 'POST', headers, body, connections, duration: warmup });
    const result = await autocannon({ url: stack.gatewayUrl, method: 'POST', headers, body, connections, duration });
    const measured = {
      mode,
      round,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failed: result.non2xx + result.errors + result.timeouts,
    };
    process.stderr.write(
      `round ${round}, protections ${mode}: ${measured.requestsPerSecond} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms\n`,
    );
    return measured;
  } finally {
    await stack.stop();
  }
}

const runs: Measured[] = [];
for (let round = 1; round <= rounds; round += 1) {
  // Alternate which goes first, so neither always meets the warmer machine.
  const order: Array<'on' | 'off'> = round % 2 === 1 ? ['on', 'off'] : ['off', 'on'];
  for (const mode of order) runs.push(await measure(mode, round));
}
const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
process.stdout.write(
  `\nCustomerOverview, ${duration} s per run after ${warmup} s warm-up, ${connections} connections, ${rounds} rounds, no upstream latency\n\n`,
);
process.stdout.write('| protections | round | req/s (mean) | p50 ms | p99 ms | failed |\n|---|---|---|---|---|---|\n');
for (const run of runs) {
  process.stdout.write(`| ${run.mode} | ${run.round} | ${run.requestsPerSecond.toFixed(0)} | ${run.p50} | ${run.p99} | ${run.failed} |\n`);
}
for (const mode of ['on', 'off'] as const) {
  const mine = runs.filter((run) => run.mode === mode);
  process.stdout.write(
    `| ${mode} | median | ${median(mine.map((run) => run.requestsPerSecond)).toFixed(0)} | ${median(mine.map((run) => run.p50))} | ${median(mine.map((run) => run.p99))} | |\n`,
  );
}
