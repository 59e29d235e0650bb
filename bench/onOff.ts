// CustomerOverview through the whole topology (bin/start.js) with a concern on and with it off, alternated over rounds
// in one run so that drift on the machine falls on both, printed as a Markdown table with each mode's medians. No
// simulated upstream latency: the gateway's and subgraphs' own work is what is compared. Used by protections.ts
// (issue 14) and tracing.ts (issue 15).
import autocannon from 'autocannon';
import { customerOverview } from './scenarios.js';
import { startBenchStack } from './stack.js';

export type Mode = 'on' | 'off';

export interface OnOffOptions {
  /** What is switched, for the table's first column ("protections", "tracing"). */
  readonly concern: string;
  /** The stack's extra environment in each mode. */
  readonly envFor: (mode: Mode) => Readonly<Record<string, string>>;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly rounds: number;
}

interface Measured {
  readonly mode: Mode;
  readonly round: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
  /** CPU time of every process of the stack (sandbox included, bin/start.js excluded), per answered request. */
  readonly cpuMillisPerRequest: number;
}

async function measure(options: OnOffOptions, mode: Mode, round: number): Promise<Measured> {
  const stack = await startBenchStack({ SANDBOX_LATENCY: 'none', ...options.envFor(mode) });
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
    if (probe.errors?.length)
      throw new Error(`CustomerOverview (${options.concern} ${mode}) answers errors: ${JSON.stringify(probe.errors)}`);
    const load = { url: stack.gatewayUrl, method: 'POST' as const, headers, body, connections: options.connections };
    await autocannon({ ...load, duration: options.warmupSeconds });
    const cpuBefore = stack.cpuMillis();
    const result = await autocannon({ ...load, duration: options.durationSeconds });
    const cpuAfter = stack.cpuMillis();
    const cpuMillis = Object.entries(cpuAfter)
      .filter(([entry]) => entry !== 'bin/start')
      .reduce((sum, [entry, after]) => sum + after - (cpuBefore[entry] ?? 0), 0);
    const measured = {
      mode,
      round,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failed: result.non2xx + result.errors + result.timeouts,
      cpuMillisPerRequest: result.requests.total > 0 ? cpuMillis / result.requests.total : 0,
    };
    process.stderr.write(
      `round ${round}, ${options.concern} ${mode}: ${measured.requestsPerSecond} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, ${measured.cpuMillisPerRequest.toFixed(2)} CPU ms/request\n`,
    );
    return measured;
  } finally {
    await stack.stop();
  }
}

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** Runs every round and prints the table to stdout (progress goes to stderr). */
export async function compareOnOff(options: OnOffOptions): Promise<void> {
  const runs: Measured[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    // Alternate which goes first, so neither always meets the warmer machine.
    const order: Mode[] = round % 2 === 1 ? ['on', 'off'] : ['off', 'on'];
    for (const mode of order) runs.push(await measure(options, mode, round));
  }
  process.stdout.write(
    `\nCustomerOverview, ${options.durationSeconds} s per run after ${options.warmupSeconds} s warm-up, ${options.connections} connections, ${options.rounds} rounds, no upstream latency\n\n`,
  );
  process.stdout.write(
    `| ${options.concern} | round | req/s (mean) | p50 ms | p99 ms | CPU ms/request | failed |\n|---|---|---|---|---|---|---|\n`,
  );
  const cpu = (value: number) => value.toFixed(2);
  for (const run of runs) {
    process.stdout.write(
      `| ${run.mode} | ${run.round} | ${run.requestsPerSecond.toFixed(0)} | ${run.p50} | ${run.p99} | ${cpu(run.cpuMillisPerRequest)} | ${run.failed} |\n`,
    );
  }
  for (const mode of ['on', 'off'] as const) {
    const mine = runs.filter((run) => run.mode === mode);
    const of = (pick: (run: Measured) => number) => median(mine.map(pick));
    process.stdout.write(
      `| ${mode} | median | ${of((run) => run.requestsPerSecond).toFixed(0)} | ${of((run) => run.p50)} | ${of((run) => run.p99)} | ${cpu(of((run) => run.cpuMillisPerRequest))} | |\n`,
    );
  }
}
